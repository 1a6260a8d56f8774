namespace TorchSharp;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>How a loss reduces its per-element values (libtorch's codes: 0, 1, 2).</summary>
        public enum Reduction : long
        {
            /// <summary>No reduction: the per-element losses.</summary>
            None = 0,
            /// <summary>The mean of the per-element losses.</summary>
            Mean = 1,
            /// <summary>The sum of the per-element losses.</summary>
            Sum = 2,
        }
    }
}
