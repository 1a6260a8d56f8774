using System.Runtime.InteropServices;

namespace TorchSharp.PInvoke;

/// <summary>
/// Owns one native <c>at::Tensor</c> handle created by the shim. Releasing it drops that handle's
/// reference on the tensor; storage is freed when the last reference (handle, autograd graph or
/// view) goes away.
/// </summary>
internal sealed class TensorHandle : SafeHandle
{
    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    internal TensorHandle(IntPtr existing) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(existing);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.tl_tensor_free(handle);
        return true;
    }
}
