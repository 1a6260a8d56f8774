using System.Globalization;
using ScottPlot;

namespace TorchLosses.Figures;

/// <summary>What the figures draw on a panel: curves, points, boxes, class regions, and the panel's labels and limits.</summary>
public static class Draw
{
    /// <summary>Title and axis labels of a panel.</summary>
    public static Plot Labels(this Plot panel, string title, string xLabel, string yLabel)
    {
        panel.Axes.Title.Label.Text = title;
        panel.Axes.Bottom.Label.Text = xLabel;
        panel.Axes.Left.Label.Text = yLabel;
        return panel;
    }

    /// <summary>Fixed axis limits.</summary>
    public static Plot Limits(this Plot panel, double xMin, double xMax, double yMin, double yMax)
    {
        panel.Axes.SetLimits(xMin, xMax, yMin, yMax);
        return panel;
    }

    /// <summary>Fixed x limits; y fitted to the data with a margin.</summary>
    public static Plot LimitsX(this Plot panel, double xMin, double xMax)
    {
        panel.Axes.AutoScale();
        panel.Axes.SetLimitsX(xMin, xMax);
        return panel;
    }

    /// <summary>Where the legend goes (inside the data area), or <c>null</c> for no legend.</summary>
    public static Plot Legend(this Plot panel, Alignment? where)
    {
        panel.Legend.IsVisible = where is not null;
        if (where is { } alignment) panel.Legend.Alignment = alignment;
        return panel;
    }

    /// <summary>A legend below the data area, its entries side by side.</summary>
    public static Plot LegendBelow(this Plot panel)
    {
        panel.ShowLegend(Edge.Bottom);
        panel.Legend.Orientation = Orientation.Horizontal;
        return panel;
    }

    /// <summary>A line through (<paramref name="x"/>, <paramref name="y"/>); NaN leaves a gap. No legend entry when <paramref name="label"/> is null.</summary>
    public static Plot Curve(this Plot panel, IReadOnlyList<double> x, IReadOnlyList<double> y, Color color, string? label,
        float width = 2.5f, LinePattern? pattern = null)
    {
        var line = panel.Add.ScatterLine(x.ToArray(), y.ToArray(), color);
        line.LineWidth = width;
        line.LinePattern = pattern ?? LinePattern.Solid;
        line.MarkerSize = 0;
        if (label is not null) line.LegendText = label;
        return panel;
    }

    /// <summary>The graph of <paramref name="f"/> sampled at 400 points on [<paramref name="xMin"/>, <paramref name="xMax"/>].</summary>
    public static Plot Function(this Plot panel, Func<double, double> f, double xMin, double xMax, Color color, string? label,
        float width = 2.5f, LinePattern? pattern = null)
    {
        var x = Enumerable.Range(0, 401).Select(i => xMin + (xMax - xMin) * i / 400).ToArray();
        return panel.Curve(x, x.Select(f).ToArray(), color, label, width, pattern);
    }

    /// <summary>Markers at (<paramref name="x"/>, <paramref name="y"/>), no line.</summary>
    public static Plot Points(this Plot panel, IReadOnlyList<double> x, IReadOnlyList<double> y, Color color, string? label,
        float size = 5, MarkerShape shape = MarkerShape.FilledCircle)
    {
        var markers = panel.Add.Markers(x.ToArray(), y.ToArray(), shape, size, color);
        markers.MarkerLineWidth = 1.5f;
        if (label is not null) markers.LegendText = label;
        return panel;
    }

    /// <summary>The outline of a box (a closed line, so it can be dashed). No legend entry when <paramref name="label"/> is null.</summary>
    public static Plot Box(this Plot panel, double left, double right, double bottom, double top, Color color, string? label,
        float width = 2, LinePattern? pattern = null) =>
        panel.Curve(new[] { left, right, right, left, left }, new[] { bottom, bottom, top, top, bottom }, color, label, width, pattern);

    /// <summary>
    /// Class regions: <paramref name="classes"/>[row, column] (row 0 at <paramref name="yMin"/>) is a class index drawn
    /// in <paramref name="colors"/>[class] over the rectangle [<paramref name="xMin"/>, <paramref name="xMax"/>] ×
    /// [<paramref name="yMin"/>, <paramref name="yMax"/>].
    /// </summary>
    public static Plot Regions(this Plot panel, int[,] classes, Color[] colors, double xMin, double xMax, double yMin, double yMax)
    {
        var values = new double[classes.GetLength(0), classes.GetLength(1)];
        for (int r = 0; r < values.GetLength(0); r++)
        for (int c = 0; c < values.GetLength(1); c++)
            values[r, c] = classes[r, c];
        return panel.Cells(values, new Classes(colors), 0, colors.Length - 1, xMin, xMax, yMin, yMax);
    }

    /// <summary>
    /// A greyscale image: <paramref name="values"/>[row, column] (row 0 at <paramref name="yMin"/>) from black at
    /// <paramref name="low"/> to white at <paramref name="high"/>, over the rectangle [<paramref name="xMin"/>,
    /// <paramref name="xMax"/>] × [<paramref name="yMin"/>, <paramref name="yMax"/>], one cell per value.
    /// </summary>
    public static Plot Image(this Plot panel, double[,] values, double low, double high, double xMin, double xMax, double yMin, double yMax) =>
        panel.Cells(values, new ScottPlot.Colormaps.Grayscale(), low, high, xMin, xMax, yMin, yMax);

    /// <summary>A heatmap of <paramref name="values"/> (row 0 at the bottom), unsmoothed, coloured over [low, high].</summary>
    private static Plot Cells(this Plot panel, double[,] values, IColormap colormap, double low, double high,
        double xMin, double xMax, double yMin, double yMax)
    {
        int rows = values.GetLength(0), columns = values.GetLength(1);
        var flipped = new double[rows, columns];
        for (int r = 0; r < rows; r++)
        for (int c = 0; c < columns; c++)
            flipped[rows - 1 - r, c] = values[r, c];   // a heatmap's first row is its top
        var map = panel.Add.Heatmap(flipped);
        map.Colormap = colormap;
        map.ManualRange = new ScottPlot.Range(low, high);
        map.Extent = new CoordinateRect(xMin, xMax, yMin, yMax);
        map.Smooth = false;
        return panel;
    }

    /// <summary>Equal scales on both axes (a square in data units is square on the image).</summary>
    public static Plot SquareUnits(this Plot panel)
    {
        panel.Axes.SquareUnits();
        return panel;
    }

    /// <summary>
    /// A base-10 logarithmic y axis for values in [<paramref name="min"/>, <paramref name="max"/>]: the caller plots log10
    /// of its values (see <see cref="Log10"/>); ticks at 1, 2 and 5 of each decade, labelled with the values themselves.
    /// </summary>
    public static Plot LogY(this Plot panel, double min, double max)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int decade = (int)Math.Floor(Math.Log10(min)); decade <= (int)Math.Ceiling(Math.Log10(max)); decade++)
        foreach (var step in new[] { 1.0, 2.0, 5.0 })
        {
            double value = step * Math.Pow(10, decade);
            if (value >= min / 1.5 && value <= max * 1.5) ticks.AddMajor(Math.Log10(value), value.ToString("G4", CultureInfo.InvariantCulture));
        }
        panel.Axes.Left.TickGenerator = ticks;
        return panel;
    }

    /// <summary>The values as doubles (the examples keep their data as float32, as the tensors do).</summary>
    public static double[] Doubles(this IEnumerable<float> values) => values.Select(v => (double)v).ToArray();

    /// <summary>log10 of each value, for a panel with <see cref="LogY"/>.</summary>
    public static double[] Log10(IEnumerable<double> values) => values.Select(Math.Log10).ToArray();

    /// <summary>A colormap that gives class k (heatmap value k, range [0, count − 1]) its own colour, without blending.</summary>
    private sealed class Classes(Color[] colors) : IColormap
    {
        public string Name => "classes";

        public Color GetColor(double position)
        {
            if (double.IsNaN(position)) return Colors.Transparent;
            int index = (int)Math.Round(position * (colors.Length - 1));
            return colors[Math.Clamp(index, 0, colors.Length - 1)];
        }
    }
}
