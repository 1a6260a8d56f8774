namespace TorchSharp.Utils;

/// <summary>
/// A copy of a tensor's elements in row-major order, with multi-dimensional indexing
/// (TorchSharp's <c>TensorAccessor&lt;T&gt;</c>, here a snapshot rather than a live view).
/// </summary>
public sealed class TensorAccessor<T> : IEnumerable<T> where T : unmanaged
{
    private readonly T[] values;
    private readonly long[] shape;

    internal TensorAccessor(T[] values, long[] shape)
    {
        this.values = values;
        this.shape = shape;
    }

    /// <summary>The number of elements.</summary>
    public long Count => values.LongLength;

    /// <summary>A copy of the elements as a flat array.</summary>
    public T[] ToArray() => (T[])values.Clone();

    /// <summary>The element at the given indices (one per dimension; a single index reads the flat array).</summary>
    public T this[params long[] indices]
    {
        get
        {
            if (indices.Length == 1 && shape.Length != 1) return values[indices[0]];
            if (indices.Length != shape.Length)
                throw new ArgumentException($"expected {shape.Length} indices, got {indices.Length}", nameof(indices));
            long offset = 0;
            for (int d = 0; d < shape.Length; d++)
            {
                if (indices[d] < 0 || indices[d] >= shape[d])
                    throw new IndexOutOfRangeException($"index {indices[d]} is out of range for dimension {d} of size {shape[d]}");
                offset = offset * shape[d] + indices[d];
            }
            return values[offset];
        }
    }

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)values).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
