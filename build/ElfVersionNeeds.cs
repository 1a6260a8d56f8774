// The MSBuild task behind build/LibStdCxxCompat.targets, compiled by MSBuild's RoslynCodeTaskFactory
// (and, for its tests, into tests/TorchLosses.Tests). It lets TorchSharp's native glue load on hosts
// whose libstdc++ is older than the one it was linked against; the README's "Loading on Debian 12"
// section says why that is safe. The factory compiles against .NET Standard 2.0: no records, no .NET 5+ APIs.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace TorchLosses.Build
{
    /// <summary>
    /// One version requirement of a shared library, "needs version V of library L" (e.g. GLIBCXX_3.4.32 of libstdc++.so.6):
    /// whether VER_FLG_WEAK is set (the loader then accepts its absence), the dynamic symbols bound to the version that a
    /// relocation references (the loader would look these up) and those none references, and the file offset of the
    /// entry's vna_flags field.
    /// </summary>
    public sealed class VersionNeed
    {
        public VersionNeed(string library, string version, bool weak, IReadOnlyList<string> referencedSymbols,
            IReadOnlyList<string> unreferencedSymbols, long flagsOffset)
        {
            Library = library;
            Version = version;
            Weak = weak;
            ReferencedSymbols = referencedSymbols;
            UnreferencedSymbols = unreferencedSymbols;
            FlagsOffset = flagsOffset;
        }

        public string Library { get; }
        public string Version { get; }
        public bool Weak { get; }
        public IReadOnlyList<string> ReferencedSymbols { get; }
        public IReadOnlyList<string> UnreferencedSymbols { get; }
        public long FlagsOffset { get; }

        public override string ToString() => $"{Library} {Version}{(Weak ? " (weak)" : "")}";
    }

    /// <summary>
    /// Reads and edits the symbol-versioning sections of 64-bit little-endian ELF shared libraries (x86-64, AArch64):
    /// the versions a library defines (<c>.gnu.version_d</c>), the versions it needs (<c>.gnu.version_r</c>), which dynamic
    /// symbols are bound to each (<c>.gnu.version</c>) and which of those a relocation references.
    /// </summary>
    /// <remarks>
    /// Layouts (System V gABI and the LSB's symbol-versioning chapter): Elf64_Shdr is 64 bytes with sh_type at 4, sh_offset
    /// at 24, sh_size at 32, sh_link at 40, sh_info at 44 and sh_entsize at 56; Elf64_Verneed is {u16 vn_version, u16 vn_cnt,
    /// u32 vn_file, u32 vn_aux, u32 vn_next}; Elf64_Vernaux is {u32 vna_hash, u16 vna_flags, u16 vna_other, u32 vna_name,
    /// u32 vna_next}; Elf64_Verdef is {u16 vd_version, u16 vd_flags, u16 vd_ndx, u16 vd_cnt, u32 vd_hash, u32 vd_aux,
    /// u32 vd_next} followed by Elf64_Verdaux {u32 vda_name, u32 vda_next}; Elf64_Sym is 24 bytes with st_name at 0;
    /// Elf64_Rela is {u64 r_offset, u64 r_info, i64 r_addend} and Elf64_Rel {u64 r_offset, u64 r_info}, the symbol index
    /// being r_info &gt;&gt; 32. Names are offsets into the string table that the section's sh_link names.
    /// </remarks>
    public static class ElfVersionNeeds
    {
        /// <summary>VER_FLG_WEAK: a version requirement the loader may find missing.</summary>
        public const ushort WeakFlag = 0x2;

        private const uint ShtRela = 4, ShtRel = 9, ShtDynsym = 11;
        private const uint ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;

        /// <summary>The version names a library defines (its .gnu.version_d), e.g. GLIBCXX_3.4.30 for libstdc++ 12.</summary>
        /// <exception cref="InvalidDataException">the file is not a 64-bit little-endian ELF file, or a table lies outside it.</exception>
        public static IReadOnlyList<string> DefinedVersions(string path)
        {
            var elf = new Elf(File.ReadAllBytes(path), path);
            var result = new List<string>();
            foreach (var section in elf.Sections.Where(s => s.Type == ShtGnuVerdef))
            {
                var strings = elf.Section((int)section.Link, "the version definitions' string table");
                long entry = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    ushort count = elf.U16(entry + 6);
                    uint aux = elf.U32(entry + 12), next = elf.U32(entry + 16);
                    if (count > 0) result.Add(elf.String(strings, elf.U32(entry + aux)));
                    if (next == 0) break;
                    entry += next;
                }
            }
            return result;
        }

        /// <summary>Every version requirement of a library, with the symbols bound to each and whether they are referenced.</summary>
        /// <exception cref="InvalidDataException">the file is not a 64-bit little-endian ELF file, or a table lies outside it.</exception>
        public static IReadOnlyList<VersionNeed> Needs(string path) => Needs(new Elf(File.ReadAllBytes(path), path));

        private static IReadOnlyList<VersionNeed> Needs(Elf elf)
        {
            var (symbolsByVersion, referenced) = SymbolsByVersion(elf);
            var result = new List<VersionNeed>();
            foreach (var section in elf.Sections.Where(s => s.Type == ShtGnuVerneed))
            {
                var strings = elf.Section((int)section.Link, "the version requirements' string table");
                long need = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    ushort count = elf.U16(need + 2);
                    string library = elf.String(strings, elf.U32(need + 4));
                    uint aux = elf.U32(need + 8), nextNeed = elf.U32(need + 12);
                    long entry = need + aux;
                    for (int j = 0; j < count; j++)
                    {
                        ushort flags = elf.U16(entry + 4), index = elf.U16(entry + 6);
                        string version = elf.String(strings, elf.U32(entry + 8));
                        var symbols = symbolsByVersion.TryGetValue(index, out var bound) ? bound : new List<(int Index, string Name)>();
                        result.Add(new VersionNeed(library, version, (flags & WeakFlag) != 0,
                            symbols.Where(s => referenced.Contains(s.Index)).Select(s => s.Name).ToList(),
                            symbols.Where(s => !referenced.Contains(s.Index)).Select(s => s.Name).ToList(),
                            entry + 4));
                        uint nextAux = elf.U32(entry + 12);
                        if (nextAux == 0) break;
                        entry += nextAux;
                    }
                    if (nextNeed == 0) break;
                    need += nextNeed;
                }
            }
            return result;
        }

        /// <summary>
        /// The dynamic symbols by version index (from .gnu.version, hidden bit cleared) and the set of dynamic symbol indices
        /// that some relocation section of the dynamic symbol table references.
        /// </summary>
        private static (Dictionary<int, List<(int Index, string Name)>>, HashSet<int>) SymbolsByVersion(Elf elf)
        {
            var byVersion = new Dictionary<int, List<(int Index, string Name)>>();
            var referenced = new HashSet<int>();
            int dynsymIndex = elf.Sections.FindIndex(s => s.Type == ShtDynsym);
            if (dynsymIndex < 0) return (byVersion, referenced);
            var dynsym = elf.Sections[dynsymIndex];
            var names = elf.Section((int)dynsym.Link, "the dynamic symbols' string table");
            long symbolCount = dynsym.EntrySize == 0 ? 0 : dynsym.Size / dynsym.EntrySize;
            foreach (var versym in elf.Sections.Where(s => s.Type == ShtGnuVersym))
                for (int i = 0; i < Math.Min(symbolCount, versym.Size / 2); i++)
                {
                    int version = elf.U16(versym.Offset + 2L * i) & 0x7fff;
                    if (version <= 1) continue; // 0: local, 1: global without a version
                    if (!byVersion.TryGetValue(version, out var list)) byVersion[version] = list = new List<(int Index, string Name)>();
                    list.Add((i, elf.String(names, elf.U32(dynsym.Offset + i * dynsym.EntrySize))));
                }
            foreach (var relocations in elf.Sections.Where(s => (s.Type == ShtRela || s.Type == ShtRel) && s.Link == dynsymIndex))
            {
                long size = relocations.EntrySize != 0 ? relocations.EntrySize : relocations.Type == ShtRela ? 24 : 16;
                for (long offset = relocations.Offset; offset + size <= relocations.Offset + relocations.Size; offset += size)
                    referenced.Add((int)(elf.U64(offset + 8) >> 32));
            }
            return (byVersion, referenced);
        }

        /// <summary>
        /// Marks weak the requirements of <paramref name="path"/> for versions in <paramref name="missing"/> whose symbols no
        /// relocation references (so the loader never looks them up), writing the file only if a flag changes. The file is
        /// rewritten through a temporary file in the same folder and renamed over the original, so a hard link (say, into
        /// the NuGet cache) is never written through; mode and modification time are kept, so an incremental copy sees the
        /// file as up to date and does not copy the original back.
        /// </summary>
        /// <returns>The requirements now weak that were not before, and those that cannot be weakened because a relocation
        /// references one of their symbols (the library cannot load on this host).</returns>
        /// <exception cref="InvalidDataException">the file is not a 64-bit little-endian ELF file, or a table lies outside it.</exception>
        public static (IReadOnlyList<VersionNeed> Weakened, IReadOnlyList<VersionNeed> Unfixable) WeakenUnreferenced(string path,
            string library, ICollection<string> missing)
        {
            var elf = new Elf(File.ReadAllBytes(path), path);
            var wanted = Needs(elf).Where(n => n.Library == library && !n.Weak && missing.Contains(n.Version)).ToList();
            var weakened = wanted.Where(n => n.ReferencedSymbols.Count == 0).ToList();
            if (weakened.Count > 0)
                Rewrite(path, weakened.Select(n => (n.FlagsOffset, (ushort)(elf.U16(n.FlagsOffset) | WeakFlag))));
            return (weakened, wanted.Where(n => n.ReferencedSymbols.Count > 0).ToList());
        }

        /// <summary>
        /// Writes 16-bit values at the given offsets of a copy of the file (File.Copy keeps the mode), gives it the original's
        /// modification time, and renames it over the original.
        /// </summary>
        private static void Rewrite(string path, IEnumerable<(long Offset, ushort Value)> edits)
        {
            var full = Path.GetFullPath(path);
            var temporary = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".weaken.tmp");
            var written = File.GetLastWriteTimeUtc(full);
            File.Copy(full, temporary, overwrite: true);
            using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.Write))
                foreach (var (offset, value) in edits)
                {
                    stream.Position = offset;
                    stream.Write(new[] { (byte)value, (byte)(value >> 8) }, 0, 2);
                }
            File.SetLastWriteTimeUtc(temporary, written);
            File.Replace(temporary, full, null);
        }

        private readonly struct SectionHeader
        {
            public SectionHeader(uint type, long offset, long size, uint link, uint info, long entrySize)
            {
                Type = type;
                Offset = offset;
                Size = size;
                Link = link;
                Info = info;
                EntrySize = entrySize;
            }

            public uint Type { get; }
            public long Offset { get; }
            public long Size { get; }
            public uint Link { get; }
            public uint Info { get; }
            public long EntrySize { get; }
        }

        /// <summary>Bounds-checked little-endian reads over a whole ELF64 file.</summary>
        private sealed class Elf
        {
            private readonly byte[] bytes;
            private readonly string path;

            public Elf(byte[] bytes, string path)
            {
                this.bytes = bytes;
                this.path = path;
                if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
                    throw Malformed("it does not start with the ELF magic number");
                if (bytes[4] != 2 || bytes[5] != 1) throw Malformed("it is not a 64-bit little-endian ELF file");
                long tableOffset = (long)U64(0x28);
                ushort entrySize = U16(0x3a), count = U16(0x3c);
                if (count > 0 && entrySize < 64) throw Malformed($"its section header size is {entrySize}, not 64");
                Sections = new List<SectionHeader>(count);
                for (int i = 0; i < count; i++)
                {
                    long h = tableOffset + (long)i * entrySize;
                    var header = new SectionHeader(U32(h + 4), (long)U64(h + 24), (long)U64(h + 32), U32(h + 40), U32(h + 44), (long)U64(h + 56));
                    const uint ShtNobits = 8;
                    if (header.Type != ShtNobits && (header.Offset < 0 || header.Size < 0 || header.Offset + header.Size > bytes.Length))
                        throw Malformed($"section {i} lies outside the file");
                    Sections.Add(header);
                }
            }

            public List<SectionHeader> Sections { get; }

            public SectionHeader Section(int index, string what) =>
                index >= 0 && index < Sections.Count ? Sections[index] : throw Malformed($"{what} (section {index}) does not exist");

            public ushort U16(long offset) => (ushort)(Byte(offset) | Byte(offset + 1) << 8);

            public uint U32(long offset) => U16(offset) | (uint)U16(offset + 2) << 16;

            public ulong U64(long offset) => U32(offset) | (ulong)U32(offset + 4) << 32;

            public string String(SectionHeader table, uint offset)
            {
                long start = table.Offset + offset, end = start;
                while (end < table.Offset + table.Size && Byte(end) != 0) end++;
                if (end >= table.Offset + table.Size) throw Malformed($"a name at offset {offset} runs past its string table");
                return Encoding.ASCII.GetString(bytes, (int)start, (int)(end - start));
            }

            private byte Byte(long offset) =>
                offset >= 0 && offset < bytes.Length ? bytes[offset] : throw Malformed($"a table points past the end of the file (offset {offset})");

            private InvalidDataException Malformed(string why) => new($"{path} is not a readable ELF shared library: {why}.");
        }
    }

    /// <summary>
    /// For each shared library in <see cref="Files"/>: the versions of <see cref="Library"/> (libstdc++.so.6) it needs that this
    /// host's copy does not define and whose symbols nothing references are marked weak, so the loader accepts their
    /// absence. Nothing happens where the host has every needed version. A library that references a missing version's
    /// symbols cannot be fixed: the task warns and leaves it as it is.
    /// </summary>
    public sealed class WeakenMissingLibraryVersions : Microsoft.Build.Utilities.Task
    {
        /// <summary>The shared libraries to check (copies in output folders, never the NuGet cache).</summary>
        [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>The soname whose version requirements are checked.</summary>
        public string Library { get; set; } = "libstdc++.so.6";

        /// <summary>The host's copy of <see cref="Library"/>; empty: searched in LD_LIBRARY_PATH and the loader's default folders.</summary>
        public string HostLibrary { get; set; } = "";

        /// <summary>The libraries that were changed.</summary>
        [Output] public ITaskItem[] Changed { get; private set; } = Array.Empty<ITaskItem>();

        /// <summary>Folders the loader searches by default on 64-bit Debian, Ubuntu, Fedora and their kin.</summary>
        public static readonly string[] DefaultFolders =
        {
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/lib64", "/usr/lib64", "/lib", "/usr/lib",
        };

        public override bool Execute()
        {
            var files = Files.Select(f => f.ItemSpec).Where(File.Exists).Distinct().ToList();
            if (files.Count == 0) return true;
            var host = HostLibrary.Length > 0 ? HostLibrary : FindHostLibrary(Library);
            if (host is null)
            {
                Log.LogMessage(MessageImportance.Low, $"{Library} was not found on this host; its version requirements were not checked.");
                return true;
            }
            HashSet<string> defined;
            try { defined = new HashSet<string>(ElfVersionNeeds.DefinedVersions(host)); }
            catch (InvalidDataException e) { Log.LogError(e.Message); return false; }

            var changed = new List<ITaskItem>();
            foreach (var file in files)
            {
                try
                {
                    var missing = ElfVersionNeeds.Needs(file).Where(n => n.Library == Library && !defined.Contains(n.Version))
                        .Select(n => n.Version).ToList();
                    if (missing.Count == 0) continue;
                    var (weakened, unfixable) = ElfVersionNeeds.WeakenUnreferenced(file, Library, missing);
                    foreach (var need in weakened)
                        Log.LogMessage(MessageImportance.High,
                            $"{Path.GetFileName(file)} needs {need.Version} of {Library}, which this host's {host} lacks; the only symbols of " +
                            $"that version ({string.Join(", ", need.UnreferencedSymbols)}) are never referenced, so the requirement was " +
                            $"marked weak in {file} (the NuGet package itself is unchanged).");
                    foreach (var need in unfixable)
                        Log.LogWarning(
                            $"{Path.GetFileName(file)} needs {need.Version} of {Library}, which this host's {host} lacks, and uses " +
                            $"{string.Join(", ", need.ReferencedSymbols)} from it: it cannot load here. Install a libstdc++ that defines {need.Version} (GCC 13 or newer).");
                    if (weakened.Count > 0) changed.Add(new TaskItem(file));
                }
                catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
                {
                    Log.LogError(e.Message);
                }
            }
            Changed = changed.ToArray();
            return !Log.HasLoggedErrors;
        }

        /// <summary>The first <paramref name="library"/> in LD_LIBRARY_PATH's folders, then in <see cref="DefaultFolders"/>.</summary>
        public static string? FindHostLibrary(string library)
        {
            var folders = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries)
                .Concat(DefaultFolders);
            return folders.Select(folder => Path.Combine(folder, library)).FirstOrDefault(File.Exists);
        }
    }
}
