using System.Runtime.InteropServices;

namespace TorchSharp.PInvoke;

// native/src/nn.cpp: the forward kernels of the binding's modules, and parameter creation.
// An optional tensor crosses as a raw pointer (IntPtr.Zero for none); keep its owner alive.
internal static partial class NativeMethods
{
    [LibraryImport(Library)] internal static partial TensorHandle tl_nn_linear(TensorHandle input, TensorHandle weight, IntPtr bias);
    [LibraryImport(Library)] internal static partial TensorHandle tl_nn_relu(TensorHandle x, int inplace);
    [LibraryImport(Library)] internal static partial TensorHandle tl_nn_tanh(TensorHandle x, int inplace);
    [LibraryImport(Library)] internal static partial TensorHandle tl_nn_make_parameter(TensorHandle data, int requires_grad);
}
