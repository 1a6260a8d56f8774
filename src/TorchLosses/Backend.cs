namespace TorchLosses;

/// <summary>Which tensor library this build of TorchLosses runs on.</summary>
public static class Backend
{
    /// <summary>"Binding" for the in-repo libtorch binding, "TorchSharp" for the TorchSharp package.</summary>
    public const string Name =
#if TORCHSHARP_PACKAGE
        "TorchSharp";
#else
        "Binding";
#endif
}
