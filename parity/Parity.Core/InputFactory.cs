namespace TorchLosses.Parity;

/// <summary>
/// Makes a case's input tensors from a pseudo-random stream seeded by the run's seed and the case's
/// name: the same seed gives the same inputs, whatever else runs (libtorch's global generator is not used).
/// Values are drawn in float64 and then converted to the requested dtype, so every dtype sees the same
/// point up to its own rounding.
/// </summary>
public sealed class InputFactory
{
    private readonly Random random;

    /// <summary>A factory for the case <paramref name="caseName"/> in a run with <paramref name="seed"/>.</summary>
    public InputFactory(int seed, string caseName)
    {
        Seed = unchecked(seed * 1_000_003 + StableHash(caseName));
        random = new Random(Seed);
    }

    /// <summary>The seed of this case's stream.</summary>
    public int Seed { get; }

    /// <summary>A deterministic hash of a string (string.GetHashCode is randomised per process).</summary>
    public static int StableHash(string text)
    {
        unchecked
        {
            uint h = 2166136261;
            foreach (char c in text) h = (h ^ c) * 16777619;
            return (int)(h & 0x7fffffff);
        }
    }

    /// <summary>The next standard-normal draw (Box–Muller).</summary>
    public double NextNormal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>The next draw, uniform in [low, high).</summary>
    public double NextUniform(double low, double high) => low + (high - low) * random.NextDouble();

    /// <summary>The next integer, uniform in [low, high).</summary>
    public long NextInteger(long low, long high) => low + random.NextInt64(high - low);

    /// <summary>Standard-normal values times <paramref name="scale"/>.</summary>
    public Tensor Normal(ScalarType dtype, long[] shape, bool grad = true, double scale = 1.0) =>
        Values(Draw(shape, () => scale * NextNormal()), dtype, shape, grad);

    /// <summary>Values uniform in [low, high).</summary>
    public Tensor Uniform(ScalarType dtype, long[] shape, double low, double high, bool grad = true) =>
        Values(Draw(shape, () => NextUniform(low, high)), dtype, shape, grad);

    /// <summary>Class indices uniform in [0, classes), int64 unless another integer dtype is asked for.</summary>
    public Tensor Classes(long classes, long[] shape, ScalarType dtype = ScalarType.Int64)
    {
        var values = new long[Count(shape)];
        for (int i = 0; i < values.Length; i++) values[i] = classes > 0 ? NextInteger(0, classes) : 0;
        return tensor(values, shape).to(dtype);
    }

    /// <summary>Rows of class probabilities (a softmax of normal draws along <paramref name="classDim"/>).</summary>
    public Tensor Probabilities(ScalarType dtype, long[] shape, long classDim, bool grad = true)
    {
        using var scope = NewDisposeScope();
        var logits = tensor(Draw(shape, NextNormal), shape);
        var p = shape.Length == 0 ? logits : logits.softmax(classDim);
        return scope.MoveToOuter(Values(p.flatten().data<double>().ToArray(), dtype, shape, grad));   // data<T>() needs ≤ 1 dimension when empty
    }

    /// <summary>A tensor of exactly these values (converted to <paramref name="dtype"/>), a leaf that may require grad.</summary>
    public static Tensor Values(double[] values, ScalarType dtype, long[] shape, bool grad = true)
    {
        var t = tensor(values, shape).to(dtype);
        if (grad) t.requires_grad = true;
        return t;
    }

    /// <summary>The number of elements of a shape.</summary>
    public static long Count(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);

    private static double[] Draw(long[] shape, Func<double> next)
    {
        var values = new double[Count(shape)];
        for (int i = 0; i < values.Length; i++) values[i] = next();
        return values;
    }
}
