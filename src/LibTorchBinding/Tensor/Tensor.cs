using System.Runtime.InteropServices;
using TorchSharp.PInvoke;
using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

public static partial class torch
{
    /// <summary>
    /// A tensor: a managed owner of one native libtorch tensor handle (TorchSharp's
    /// <c>torch.Tensor</c>). Dispose it, or create it inside a <see cref="DisposeScope"/>, to release
    /// native memory deterministically; a forgotten tensor is still released by its SafeHandle's
    /// finalizer.
    /// </summary>
    public partial class Tensor : IDisposable
    {
        private readonly TensorHandle handle;

        internal Tensor(TensorHandle handle, bool attachToScope = true)
        {
            this.handle = handle;
            if (attachToScope) DisposeScopeManager.Current?.AddNew(this);
        }

        /// <summary>Wraps a handle returned by the shim, throwing libtorch's error when it is invalid.</summary>
        internal static Tensor FromNative(TensorHandle result)
        {
            if (result.IsInvalid)
            {
                result.Dispose();
                throw Failure();
            }
            return new Tensor(result);
        }

        /// <summary>Like <see cref="FromNative"/>, but an undefined tensor without an error gives null.</summary>
        internal static Tensor? FromNativeOptional(TensorHandle result)
        {
            if (!result.IsInvalid) return new Tensor(result);
            result.Dispose();
            var error = TakeError();
            if (error is not null) throw new ExternalException(error);
            return null;
        }

        /// <summary>The native handle, checked for use after disposal.</summary>
        internal TensorHandle Native
        {
            get
            {
                if (handle.IsClosed)
                    throw new ObjectDisposedException(nameof(Tensor),
                        "This tensor has been disposed (directly or by its dispose scope) and can no longer be used.");
                return handle;
            }
        }

        /// <summary>The raw native pointer (an <c>at::Tensor*</c>).</summary>
        public IntPtr Handle => Native.DangerousGetHandle();

        /// <summary>True once the tensor has been disposed.</summary>
        public bool IsInvalid => handle.IsClosed || handle.IsInvalid;

        /// <summary>Releases the native handle now. Safe to call more than once.</summary>
        public void Dispose()
        {
            handle.Dispose();
            GC.SuppressFinalize(this);
        }

        /// <summary>Moves this tensor from the current dispose scope to the enclosing one (or to none).</summary>
        public Tensor MoveToOuterDisposeScope()
        {
            DisposeScopeManager.MoveToOuter(this);
            return this;
        }

        /// <summary>Removes this tensor from any dispose scope: its lifetime is then the caller's.</summary>
        public Tensor DetachFromDisposeScope()
        {
            DisposeScopeManager.Detach(this);
            return this;
        }

        // ---- metadata ----------------------------------------------------------------------

        /// <summary>The sizes of each dimension (a new array on every call).</summary>
        public unsafe long[] shape
        {
            get
            {
                var result = new long[tl_tensor_dim(Native)];
                fixed (long* p = result) tl_tensor_shape(Native, p);
                return result;
            }
        }

        /// <summary>The sizes of each dimension.</summary>
        public long[] size() => shape;

        /// <summary>The size of one dimension (negative counts from the end).</summary>
        public long size(int dim)
        {
            var result = tl_tensor_size(Native, dim);
            if (result < 0) throw Failure();
            return result;
        }

        /// <summary>The number of dimensions.</summary>
        public long dim() => tl_tensor_dim(Native);

        /// <summary>The number of dimensions.</summary>
        public long ndim => dim();

        /// <summary>The number of dimensions.</summary>
        public long Dimensions => dim();

        /// <summary>The number of elements.</summary>
        public long numel() => tl_tensor_numel(Native);

        /// <summary>The number of elements.</summary>
        public long NumberOfElements => numel();

        /// <summary>The element type.</summary>
        public ScalarType dtype => (ScalarType)tl_tensor_dtype(Native);

        /// <summary>The device the tensor lives on.</summary>
        public Device device => new(device_type, device_index);

        /// <summary>The kind of device the tensor lives on.</summary>
        public DeviceType device_type => (DeviceType)tl_tensor_device_type(Native);

        /// <summary>The device index (-1 for the CPU).</summary>
        public int device_index => tl_tensor_device_index(Native);

        /// <summary>True when the tensor's elements are laid out contiguously in row-major order.</summary>
        public bool is_contiguous() => tl_tensor_is_contiguous(Native) != 0;

        /// <summary>True when both handles refer to the same tensor.</summary>
        internal bool IsSameAs(Tensor other) => tl_tensor_same(Native, other.Native) != 0;

        /// <inheritdoc/>
        public override string ToString()
        {
            if (IsInvalid) return "[disposed tensor]";
            return $"[{string.Join("x", shape)}], type = {dtype}, device = {device}";
        }
    }
}
