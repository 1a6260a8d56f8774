using TorchSharp.Utils;
using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

public static partial class torch
{
    public partial class Tensor
    {
        /// <summary>
        /// Copies the elements (row-major, moved to the CPU first if needed) into a new accessor.
        /// <typeparamref name="T"/> must be the tensor's own element type.
        /// </summary>
        /// <exception cref="ArgumentException">T does not match <see cref="dtype"/>.</exception>
        public TensorAccessor<T> data<T>() where T : unmanaged => new(CopyToArray<T>(nameof(data)), shape);

        /// <summary>
        /// The value of a one-element tensor. <typeparamref name="T"/> must be the tensor's element type.
        /// </summary>
        /// <exception cref="ArgumentException">The tensor does not hold exactly one element, or T does not match.</exception>
        public T item<T>() where T : unmanaged
        {
            var count = numel();
            if (count != 1)
                throw new ArgumentException(
                    $"item<{typeof(T).Name}>() needs a tensor with exactly one element, but this one has {count} (shape [{string.Join(", ", shape)}]).");
            return CopyToArray<T>(nameof(item))[0];
        }

        internal unsafe T[] CopyToArray<T>(string caller) where T : unmanaged
        {
            var wanted = ScalarTypeOf<T>();
            var actual = dtype;
            if (wanted != actual)
                throw new ArgumentException(
                    $"{caller}<{typeof(T).Name}>() reads {wanted} elements, but the tensor's dtype is {actual}; convert it first with .to(ScalarType.{wanted}).",
                    nameof(T));
            var result = new T[numel()];
            fixed (T* p = result) Check(tl_tensor_copy_to(Native, p, (long)result.Length * sizeof(T)));
            return result;
        }
    }
}
