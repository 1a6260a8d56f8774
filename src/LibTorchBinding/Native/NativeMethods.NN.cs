using System.Runtime.InteropServices;

namespace TorchSharp.PInvoke;

// native/src/nn.cpp: parameter creation for the binding's modules.
internal static partial class NativeMethods
{
    [LibraryImport(Library)] internal static partial TensorHandle tl_nn_make_parameter(TensorHandle data, int requires_grad);
}
