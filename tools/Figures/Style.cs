using ScottPlot;

namespace TorchLosses.Figures;

/// <summary>The look every figure shares: font, text sizes, grid, legend box and the two colour sets.</summary>
public static class Style
{
    /// <summary>
    /// DejaVu Sans where the system has it (Debian's fonts-dejavu-core: it has every Greek letter and maths sign the
    /// figures use: β, δ, ε, ν, ∂, −, ½, ≥), otherwise the sans-serif font ScottPlot finds.
    /// </summary>
    public static string FontName { get; } = SkiaSharp.SKFontManager.Default.MatchFamily("DejaVu Sans") is null ? Fonts.Sans : "DejaVu Sans";

    /// <summary>Size of the title above all panels.</summary>
    public const float FigureTitleSize = 20;

    /// <summary>Size of a panel's title.</summary>
    public const float PanelTitleSize = 16;

    /// <summary>Size of the axis labels.</summary>
    public const float AxisLabelSize = 15;

    /// <summary>Size of the tick labels.</summary>
    public const float TickLabelSize = 13;

    /// <summary>Size of the legend's text.</summary>
    public const float LegendSize = 13;

    /// <summary>Colorbrewer's Dark2: the loss curves of the docs and of the parity figure.</summary>
    public static readonly Color[] Curves = { Color.FromHex("#1b9e77"), Color.FromHex("#d95f02"), Color.FromHex("#7570b3"), Color.FromHex("#e7298a"), Color.FromHex("#666666") };

    /// <summary>Matplotlib's tab10 (the examples' runs and classes).</summary>
    public static readonly Color[] Runs =
    {
        Color.FromHex("#d62728"), Color.FromHex("#1f77b4"), Color.FromHex("#2ca02c"), Color.FromHex("#17becf"), Color.FromHex("#9467bd"),
        Color.FromHex("#ff7f0e"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#bcbd22"), Color.FromHex("#7f7f7f"),
    };

    /// <summary>A mid grey for data points that are context rather than result.</summary>
    public static readonly Color Grey = Color.FromHex("#9a9a9a");

    /// <summary>A panel with the shared look: white, light grid, legend in a box, the figure font at readable sizes.</summary>
    internal static Plot NewPanel()
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.Grid.MajorLineColor = Color.FromHex("#dddddd");
        plot.Axes.Title.Label.FontSize = PanelTitleSize;
        plot.Axes.Title.Label.Bold = false;
        foreach (var axis in plot.Axes.GetAxes())
        {
            axis.Label.FontSize = AxisLabelSize;
            axis.Label.Bold = false;
            axis.TickLabelStyle.FontSize = TickLabelSize;
            axis.FrameLineStyle.Color = Color.FromHex("#555555");
        }
        plot.Legend.FontSize = LegendSize;
        plot.Legend.FontName = FontName;
        plot.Legend.OutlineStyle.Color = Color.FromHex("#999999");
        plot.Legend.BackgroundColor = Colors.White.WithAlpha(0.9);
        plot.Legend.IsVisible = true;
        return plot;
    }
}
