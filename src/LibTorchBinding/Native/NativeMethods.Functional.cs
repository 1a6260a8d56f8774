using System.Runtime.InteropServices;

namespace TorchSharp.PInvoke;

internal static partial class NativeMethods
{
    [LibraryImport(Library)] internal static partial TensorHandle tl_functional_relu(TensorHandle input, int inplace);
    [LibraryImport(Library)] internal static partial TensorHandle tl_functional_tanh(TensorHandle input, int inplace);
    [LibraryImport(Library)] internal static partial TensorHandle tl_functional_sigmoid(TensorHandle input, int inplace);
    [LibraryImport(Library)] internal static partial TensorHandle tl_functional_one_hot(TensorHandle input, long numClasses);
    [LibraryImport(Library)] internal static partial TensorHandle tl_functional_cosine_similarity(TensorHandle x1, TensorHandle x2, long dim, double eps);
    [LibraryImport(Library)]
    internal static partial TensorHandle tl_functional_pairwise_distance(TensorHandle x1, TensorHandle x2, double p, double eps, int keepdim);
    [LibraryImport(Library)] internal static partial TensorHandle tl_functional_linear(TensorHandle input, TensorHandle weight, IntPtr bias);
}
