using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Examples.Common;

/// <summary>
/// One figure drawn by gnuplot: the example writes its data as whitespace-separated columns with
/// <see cref="Data"/> and hands a script to <see cref="Render"/>, which adds the terminal (pngcairo or
/// svg, by the output's extension) and runs gnuplot. Data and script stay in
/// <c>artifacts/examples/&lt;name&gt;/</c>, so the figure can be restyled by hand with
/// <c>gnuplot plot.gp</c>.
/// </summary>
public sealed class GnuplotFigure
{
    private readonly string directory;

    /// <summary>Prepares the working directory for figure <paramref name="name"/>.</summary>
    public GnuplotFigure(string name) => directory = RepoPaths.WorkDirectory(name);

    /// <summary>Writes a data file (one row per line, invariant culture) and returns its path quoted for gnuplot.</summary>
    /// <param name="fileName">The file's name inside the working directory.</param>
    /// <param name="header">Column names, written as a comment line.</param>
    /// <param name="rows">The rows; NaN is written as gnuplot's missing value "NaN".</param>
    public string Data(string fileName, string header, IEnumerable<IEnumerable<double>> rows)
    {
        var text = new StringBuilder("# ").Append(header).Append('\n');
        foreach (var row in rows)
            text.AppendJoin(' ', row.Select(v => v.ToString("G7", CultureInfo.InvariantCulture))).Append('\n');
        return WriteQuoted(fileName, text.ToString());
    }

    /// <summary>Writes data blocks separated by two blank lines (gnuplot's <c>index</c>), one block per entry.</summary>
    public string Blocks(string fileName, string header, IEnumerable<IEnumerable<IEnumerable<double>>> blocks)
    {
        var text = new StringBuilder("# ").Append(header).Append('\n');
        foreach (var block in blocks)
        {
            foreach (var row in block)
                text.AppendJoin(' ', row.Select(v => v.ToString("G7", CultureInfo.InvariantCulture))).Append('\n');
            text.Append("\n\n");
        }
        return WriteQuoted(fileName, text.ToString());
    }

    private string WriteQuoted(string fileName, string text)
    {
        var path = Path.Combine(directory, fileName);
        File.WriteAllText(path, text);
        return "'" + path.Replace("'", "''") + "'";
    }

    /// <summary>
    /// Writes the script (terminal and output first, then <paramref name="body"/>) and runs gnuplot.
    /// Returns null on success, otherwise a note saying why there is no figure (gnuplot missing, or its error).
    /// </summary>
    public string? Render(string outputPath, int width, int height, string body)
    {
        var output = Path.GetFullPath(outputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var terminal = Path.GetExtension(output).Equals(".svg", StringComparison.OrdinalIgnoreCase)
            ? $"set terminal svg size {width},{height} dynamic enhanced font 'DejaVu Sans,12' background rgb 'white'"
            : $"set terminal pngcairo size {width},{height} enhanced font 'DejaVu Sans,11'";
        var script = Path.Combine(directory, "plot.gp");
        File.WriteAllText(script, $"{terminal}\nset output '{output.Replace("'", "''")}'\nset encoding utf8\n{body}\nunset output\n");
        try
        {
            using var process = Process.Start(new ProcessStartInfo("gnuplot", $"\"{script}\"")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            var errors = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"gnuplot failed ({script}): {errors.Result.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return $"gnuplot is not installed, so no figure was drawn (bash scripts/setup.sh installs it); its input is in {directory}.";
        }
    }

    /// <summary>Escapes text for a gnuplot single-quoted string in enhanced text mode (where _ and ^ are markup).</summary>
    public static string Label(string text) =>
        text.Replace("'", "''").Replace("_", "\\_").Replace("^", "\\^").Replace("{", "\\{").Replace("}", "\\}");
}
