using System.Runtime.InteropServices;

namespace TorchSharp.PInvoke;

internal static partial class NativeMethods
{
    [LibraryImport(Library)] internal static partial TensorHandle tl_smooth_l1_loss(TensorHandle input, TensorHandle target, long reduction, double beta);
}
