using System.Runtime.CompilerServices;
using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

public static partial class torch
{
    /// <summary>
    /// One entry of a Python-style index expression (TorchSharp's <c>TensorIndex</c>):
    /// an integer (<see cref="Single"/>, or implicitly from <c>long</c>), a slice (<see cref="Slice(long?, long?, long?)"/>,
    /// or implicitly from a <see cref="System.Range"/> such as <c>1..^1</c>), <see cref="Ellipsis"/>,
    /// a new axis (<see cref="None"/>), a boolean or an index tensor.
    /// </summary>
    public struct TensorIndex
    {
        internal enum Kind
        {
            None,
            Single,
            Null,
            Ellipsis,
            Bool,
            Tensor,
            Slice,
        }

        internal long? startIndexOrBoolOrSingle;
        internal long? stopIndex;
        internal long? step;
        internal Kind kind;
        internal Tensor? tensor;

        /// <summary>The slice start:stop:step; a missing bound means the start or end of the dimension, a missing step 1.</summary>
        public static TensorIndex Slice(long? start = null, long? stop = null, long? step = null) =>
            new() { startIndexOrBoolOrSingle = start, stopIndex = stop, step = step, kind = Kind.Slice };

        /// <summary>The slice start:end.</summary>
        public static TensorIndex Slice((int? start, int? end) range) => Slice(range.start, range.end);

        /// <summary>The slice a range describes: <c>^k</c> counts from the end, and <c>..^0</c> runs to the end.</summary>
        public static TensorIndex Slice(System.Range range)
        {
            long? start = range.Start.IsFromEnd ? -range.Start.Value : range.Start.Value;
            long? end = !range.End.IsFromEnd ? range.End.Value : range.End.Value == 0 ? null : -range.End.Value;
            return Slice(start, end);
        }

        /// <summary>A boolean index: true adds a dimension of size 1, false one of size 0.</summary>
        public static TensorIndex Bool(bool value) => new() { startIndexOrBoolOrSingle = value ? 1 : 0, kind = Kind.Bool };

        /// <summary>One entry of the dimension (the dimension is removed); negative counts from the end.</summary>
        public static TensorIndex Single(long? index) => new() { startIndexOrBoolOrSingle = index, kind = Kind.Single };

        /// <summary>An index tensor (int64 positions or a boolean mask): advanced indexing.</summary>
        public static TensorIndex Tensor(Tensor tensor) => new() { tensor = tensor, kind = Kind.Tensor };

        /// <summary><c>...</c>: as many full slices as needed to cover the remaining dimensions.</summary>
        public static readonly TensorIndex Ellipsis = new() { kind = Kind.Ellipsis };

        /// <summary>Python's <c>None</c>: inserts a new dimension of size 1.</summary>
        public static readonly TensorIndex None = new() { kind = Kind.None };

        /// <summary>Same as <see cref="None"/>.</summary>
        public static readonly TensorIndex Null = new() { kind = Kind.Null };

        /// <summary><c>:</c>, the whole dimension.</summary>
        public static readonly TensorIndex Colon = Slice();

        public static implicit operator TensorIndex(long value) => Single(value);

        public static implicit operator TensorIndex((int? start, int? end) range) => Slice(range);

        public static implicit operator TensorIndex(System.Range range) => Slice(range);
    }

    public partial class Tensor
    {
        /// <summary>Python-style indexing: <c>t[0, TensorIndex.Colon, 1..]</c>. Reading gives a view where possible; writing copies into this tensor.</summary>
        [IndexerName("TensorItems")]
        public Tensor this[params TensorIndex[] indices]
        {
            get => index(indices);
            set => index_put_(value, indices).Dispose();
        }

        /// <summary>Advanced indexing with index tensors, one per leading dimension.</summary>
        [IndexerName("TensorItems")]
        public Tensor this[params Tensor[] indices]
        {
            get => index(indices);
            set => index_put_(value, indices).Dispose();
        }

        /// <summary>Entry <paramref name="i1"/> of the first dimension (a view).</summary>
        [IndexerName("TensorItems")]
        public Tensor this[long i1]
        {
            get => index(new TensorIndex[] { i1 });
            set => index_put_(value, new TensorIndex[] { i1 }).Dispose();
        }

        [IndexerName("TensorItems")]
        public Tensor this[long i1, long i2]
        {
            get => index(new TensorIndex[] { i1, i2 });
            set => index_put_(value, new TensorIndex[] { i1, i2 }).Dispose();
        }

        [IndexerName("TensorItems")]
        public Tensor this[long i1, long i2, long i3]
        {
            get => index(new TensorIndex[] { i1, i2, i3 });
            set => index_put_(value, new TensorIndex[] { i1, i2, i3 }).Dispose();
        }

        [IndexerName("TensorItems")]
        public Tensor this[long i1, long i2, long i3, long i4]
        {
            get => index(new TensorIndex[] { i1, i2, i3, i4 });
            set => index_put_(value, new TensorIndex[] { i1, i2, i3, i4 }).Dispose();
        }

        [IndexerName("TensorItems")]
        public Tensor this[long i1, long i2, long i3, long i4, long i5]
        {
            get => index(new TensorIndex[] { i1, i2, i3, i4, i5 });
            set => index_put_(value, new TensorIndex[] { i1, i2, i3, i4, i5 }).Dispose();
        }

        [IndexerName("TensorItems")]
        public Tensor this[long i1, long i2, long i3, long i4, long i5, long i6]
        {
            get => index(new TensorIndex[] { i1, i2, i3, i4, i5, i6 });
            set => index_put_(value, new TensorIndex[] { i1, i2, i3, i4, i5, i6 }).Dispose();
        }

        /// <summary>Indexes this tensor with Python's rules (libtorch's <c>Tensor::index</c>).</summary>
        public Tensor index(params TensorIndex[] indices) => FromNative(WithIndices(indices, null, default));

        /// <summary>Advanced indexing with index tensors.</summary>
        public Tensor index(params Tensor[] indices) => index(AsIndices(indices));

        /// <summary>Writes <paramref name="value"/> (broadcast) into the indexed part of this tensor, in place; returns this tensor.</summary>
        public Tensor index_put_(Tensor value, params TensorIndex[] indices) => FromNative(WithIndices(indices, value, default));

        /// <inheritdoc cref="index_put_(Tensor, TensorIndex[])"/>
        public Tensor index_put_(Tensor value, params Tensor[] indices) => index_put_(value, AsIndices(indices));

        /// <summary>Writes <paramref name="value"/> into every indexed entry of this tensor, in place; returns this tensor.</summary>
        public Tensor index_put_(Scalar value, params TensorIndex[] indices) => FromNative(WithIndices(indices, null, value));

        /// <inheritdoc cref="index_put_(Scalar, TensorIndex[])"/>
        public Tensor index_put_(Scalar value, params Tensor[] indices) => index_put_(value, AsIndices(indices));

        private static TensorIndex[] AsIndices(Tensor[] indices) => Array.ConvertAll(indices, TensorIndex.Tensor);

        // Bits of the native kind code that mark which slice bounds are present (see ops_shape.cpp).
        private const int SliceHasStart = 1 << 8, SliceHasStop = 1 << 9, SliceHasStep = 1 << 10;

        /// <summary>
        /// Encodes the indices for the shim and runs index (no value), index_put_ with a tensor, or
        /// index_put_ with a scalar.
        /// </summary>
        private unsafe PInvoke.TensorHandle WithIndices(TensorIndex[] indices, Tensor? tensorValue, Scalar? scalarValue)
        {
            int n = indices.Length;
            var kinds = new int[n];
            var starts = new long[n];
            var stops = new long[n];
            var steps = new long[n];
            var tensors = new IntPtr[n];
            for (int k = 0; k < n; k++)
            {
                var idx = indices[k];
                kinds[k] = idx.kind switch
                {
                    TensorIndex.Kind.None or TensorIndex.Kind.Null => 0,
                    TensorIndex.Kind.Single => 1,
                    TensorIndex.Kind.Ellipsis => 2,
                    TensorIndex.Kind.Bool => 3,
                    TensorIndex.Kind.Tensor => 4,
                    _ => 5 | (idx.startIndexOrBoolOrSingle.HasValue ? SliceHasStart : 0)
                           | (idx.stopIndex.HasValue ? SliceHasStop : 0)
                           | (idx.step.HasValue ? SliceHasStep : 0),
                };
                // Kinds that do not use a value ignore it.
                starts[k] = idx.startIndexOrBoolOrSingle ?? 0;
                stops[k] = idx.stopIndex ?? 0;
                steps[k] = idx.step ?? 0;
                if (idx.kind == TensorIndex.Kind.Tensor)
                    tensors[k] = (idx.tensor ?? throw new ArgumentNullException(nameof(indices), $"index {k} is a null tensor")).Handle;
            }
            try
            {
                fixed (int* pk = kinds)
                fixed (long* ps = starts, pe = stops, pt = steps)
                fixed (IntPtr* px = tensors)
                {
                    if (tensorValue is not null) return tl_index_put_(Native, pk, ps, pe, pt, px, n, tensorValue.Native);
                    if (scalarValue is not null) return tl_index_put_scalar_(Native, pk, ps, pe, pt, px, n, scalarValue.Value.Native);
                    return tl_index(Native, pk, ps, pe, pt, px, n);
                }
            }
            finally
            {
                // The raw handles of index tensors were passed above; keep their owners alive until here.
                GC.KeepAlive(indices);
            }
        }
    }
}
