namespace TorchLosses.Parity;

/// <summary>
/// Error parity: the text a loss raises, without what .NET and libtorch add to it. An
/// <see cref="ArgumentException"/> appends " (Parameter 'beta')" and an
/// <see cref="ArgumentOutOfRangeException"/> a line "Actual value was -1."; libtorch appends a C++ backtrace
/// ("Exception raised from …") to its message, and a TorchScript call wraps it in a traceback. PyTorch's
/// message carries none of these, so all are removed before comparing.
/// </summary>
public static class ErrorMessages
{
    /// <summary>The message of <paramref name="exception"/> as PyTorch would print it.</summary>
    public static string Text(Exception exception)
    {
        var message = Aten.AtenMessage(exception.Message);
        if (exception is ArgumentOutOfRangeException { ActualValue: not null } range)
        {
            var suffix = Environment.NewLine + $"Actual value was {range.ActualValue}.";
            if (message.EndsWith(suffix, StringComparison.Ordinal)) message = message[..^suffix.Length];
        }
        if (exception is ArgumentException { ParamName: { } name })
        {
            var suffix = $" (Parameter '{name}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal)) message = message[..^suffix.Length];
        }
        return message.Trim();
    }

    /// <summary>Whether two messages say the same (equal after trimming).</summary>
    public static bool Same(string expected, string actual) => string.Equals(expected.Trim(), actual.Trim(), StringComparison.Ordinal);
}
