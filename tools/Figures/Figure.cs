using System.Globalization;
using ScottPlot;
using SkiaSharp;

namespace TorchLosses.Figures;

/// <summary>
/// A figure of one or more panels in a grid under a common title, drawn by ScottPlot and written as PNG and SVG.
/// Each panel is a <see cref="Plot"/> already styled the repository's way (font, sizes, grid, legend box); the caller
/// adds its data with the helpers of <see cref="Draw"/> and saves with <see cref="Save"/>.
/// </summary>
public sealed class Figure
{
    private const float TitleHeight = 46;
    private readonly Plot[] panels;

    /// <summary>Creates a figure of <paramref name="rows"/> × <paramref name="columns"/> panels, each of the given pixel size.</summary>
    public Figure(string title, int rows, int columns, int panelWidth, int panelHeight)
    {
        if (rows < 1 || columns < 1) throw new ArgumentOutOfRangeException(nameof(rows), "A figure has at least one row and one column.");
        Title = title;
        Rows = rows;
        Columns = columns;
        PanelWidth = panelWidth;
        PanelHeight = panelHeight;
        panels = Enumerable.Range(0, rows * columns).Select(_ => Style.NewPanel()).ToArray();
    }

    /// <summary>The title above all panels.</summary>
    public string Title { get; }

    /// <summary>Rows of panels.</summary>
    public int Rows { get; }

    /// <summary>Columns of panels.</summary>
    public int Columns { get; }

    /// <summary>Width of one panel in pixels.</summary>
    public int PanelWidth { get; }

    /// <summary>Height of one panel in pixels.</summary>
    public int PanelHeight { get; }

    /// <summary>Width of the whole image in pixels.</summary>
    public int Width => Columns * PanelWidth;

    /// <summary>Height of the whole image in pixels (panels and title).</summary>
    public int Height => (int)(Rows * PanelHeight + TitleHeight);

    /// <summary>The panel at <paramref name="index"/>, counted row by row.</summary>
    public Plot this[int index] => panels[index];

    /// <summary>The panel in <paramref name="row"/> and <paramref name="column"/>.</summary>
    public Plot Panel(int row, int column) => panels[row * Columns + column];

    /// <summary>
    /// Writes the figure as PNG and as SVG: <paramref name="path"/> with its extension replaced by <c>.png</c> and
    /// <c>.svg</c> (the folder is created). Returns the two paths written.
    /// </summary>
    public IReadOnlyList<string> Save(string path)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string png = Path.ChangeExtension(full, ".png");
        string svg = Path.ChangeExtension(full, ".svg");

        var info = new SKImageInfo(Width, Height);
        using (var surface = SKSurface.Create(info))
        {
            Render(surface.Canvas);
            using var image = surface.Snapshot();
            using var data = image.Encode(SKEncodedImageFormat.Png, 100);
            using var file = File.Create(png);
            data.SaveTo(file);
        }
        File.WriteAllText(svg, Svg());
        return new[] { png, svg };
    }

    /// <summary>
    /// The figure as SVG. Skia's SVG writer drops dash patterns ("Unsupported path effect"), so each dashed line is drawn
    /// solid in a colour of its own that nothing else uses, and afterwards that colour's strokes get the line's real colour and
    /// a stroke-dasharray (the legend's sample of the line too).
    /// </summary>
    private string Svg()
    {
        var dashed = panels.SelectMany(p => p.GetPlottables().OfType<ScottPlot.Plottables.Scatter>())
            .Where(s => s.LinePattern.Name != LinePattern.Solid.Name).ToList();
        var colors = dashed.Select(s => s.LineStyle.Color).ToList();
        var patterns = dashed.Select(s => s.LinePattern).ToList();
        static string Placeholder(int i) => $"#0A0B{i + 1:X2}";
        string text;
        try
        {
            for (int i = 0; i < dashed.Count; i++)
                (dashed[i].LineStyle.Color, dashed[i].LinePattern) = (Color.FromHex(Placeholder(i)), LinePattern.Solid);
            using var stream = new MemoryStream();
            using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, Width, Height), stream)) Render(canvas);
            text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        }
        finally
        {
            for (int i = 0; i < dashed.Count; i++) (dashed[i].LineStyle.Color, dashed[i].LinePattern) = (colors[i], patterns[i]);
        }
        for (int i = 0; i < dashed.Count; i++)
        {
            var c = colors[i];
            string dashes = string.Join(" ", patterns[i].Intervals.Select(v => v.ToString("0.##", CultureInfo.InvariantCulture)));
            text = text.Replace($"stroke=\"{Placeholder(i)}\"", $"stroke=\"#{c.R:X2}{c.G:X2}{c.B:X2}\" stroke-dasharray=\"{dashes}\"");
        }
        return text;
    }

    private void Render(SKCanvas canvas)
    {
        canvas.Clear(SKColors.White);
        for (int row = 0; row < Rows; row++)
        for (int column = 0; column < Columns; column++)
        {
            // A plot clears and fills its whole canvas: clipped to its own rectangle, it leaves the others alone.
            float left = column * PanelWidth, top = TitleHeight + row * PanelHeight;
            var rect = new PixelRect(left, left + PanelWidth, top + PanelHeight, top);
            canvas.Save();
            canvas.ClipRect(rect.ToSKRect());
            Panel(row, column).Render(canvas, rect);
            canvas.Restore();
        }
        // ScottPlot caches its typefaces: this one is not disposed here.
        var typeface = Fonts.GetTypeface(Style.FontName, bold: true, italic: false);
        using (var font = new SKFont(typeface, Style.FigureTitleSize))
        using (var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true })
        {
            canvas.DrawText(Title, Width / 2f, TitleHeight * 0.7f, SKTextAlign.Center, font, paint);
        }
    }
}
