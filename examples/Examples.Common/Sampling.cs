namespace Examples.Common;

/// <summary>Draws from the distributions the examples' synthetic data need, with a seeded <see cref="Random"/>.</summary>
public static class Sampling
{
    /// <summary>A standard normal draw (Box–Muller).</summary>
    public static double Normal(this Random random)
    {
        var u1 = 1.0 - random.NextDouble(); // (0, 1]: log is finite
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>A draw from U(<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static double Uniform(this Random random, double low, double high) => low + (high - low) * random.NextDouble();

    /// <summary>
    /// A Student-t draw with <paramref name="nu"/> degrees of freedom (heavy tails: ν = 2 has infinite
    /// variance): Z / √(V/ν) with V a chi-square draw, here a Gamma(ν/2, 2) draw.
    /// </summary>
    public static double StudentT(this Random random, double nu) => random.Normal() / Math.Sqrt(random.Gamma(nu / 2) * 2 / nu);

    /// <summary>A Gamma(<paramref name="shape"/>, 1) draw (Marsaglia–Tsang; shape &lt; 1 by boosting).</summary>
    public static double Gamma(this Random random, double shape)
    {
        if (shape < 1) return random.Gamma(shape + 1) * Math.Pow(1.0 - random.NextDouble(), 1 / shape);
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double z, v;
            do { z = random.Normal(); v = 1 + c * z; } while (v <= 0);
            v = v * v * v;
            var u = 1.0 - random.NextDouble();
            if (Math.Log(u) < 0.5 * z * z + d - d * v + d * Math.Log(v)) return d * v;
        }
    }

    /// <summary><paramref name="count"/> distinct indices from [0, <paramref name="n"/>), in random order (partial Fisher–Yates).</summary>
    public static int[] Choose(this Random random, int n, int count)
    {
        var pool = Enumerable.Range(0, n).ToArray();
        for (var i = 0; i < count; i++)
        {
            var j = random.Next(i, n);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..count];
    }
}
