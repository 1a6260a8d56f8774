using System.Runtime.InteropServices;

namespace TorchSharp.PInvoke;

internal static partial class NativeMethods
{
    [LibraryImport(Library)] internal static partial int tl_set_num_threads(int threads);
    [LibraryImport(Library)] internal static partial int tl_get_num_threads();

    [LibraryImport(Library)] internal static partial int tl_diagnostics_memory_track();
    [LibraryImport(Library)] internal static partial int tl_diagnostics_memory_untrack();
    [LibraryImport(Library)] internal static partial int tl_diagnostics_memory_is_tracking();
    [LibraryImport(Library)] internal static partial long tl_diagnostics_memory_current();
    [LibraryImport(Library)] internal static partial long tl_diagnostics_memory_peak();
    [LibraryImport(Library)] internal static partial void tl_diagnostics_memory_reset_peak();

    [LibraryImport(Library)] internal static partial double tl_diagnostics_time_add(long iterations);
}
