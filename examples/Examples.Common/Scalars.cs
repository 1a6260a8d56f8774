namespace Examples.Common;

/// <summary>
/// The Scalars the examples pass to libtorch, owned here for the life of the process. TorchSharp 0.107 does not keep a
/// temporary Scalar alive during a native call (<c>x.gt(0)</c> makes one of the 0, and <c>a + b</c> one of its alpha 1), so a
/// garbage collection on another thread can free it under the op: a program that trains on several threads, or the
/// examples' tests running beside others, must own them (README, "TorchSharp's traps").
/// </summary>
public static class Scalars
{
    public static readonly Scalar Zero = 0;
    public static readonly Scalar One = 1;

    /// <summary>a + b, as TorchSharp's <c>a + b</c> (<c>a.add(b, 1)</c>) with the alpha owned here.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);
}
