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
    /// relocation references (the loader would look these up) and those none references, whether every relocation table
    /// the loader processes could be read (when not, "unreferenced" cannot be told apart from "referenced from a table
    /// this reader does not know"), and the file offset of the entry's vna_flags field.
    /// </summary>
    public sealed class VersionNeed
    {
        public VersionNeed(string library, string version, bool weak, IReadOnlyList<string> referencedSymbols,
            IReadOnlyList<string> unreferencedSymbols, bool relocationsKnown, long flagsOffset)
        {
            Library = library;
            Version = version;
            Weak = weak;
            ReferencedSymbols = referencedSymbols;
            UnreferencedSymbols = unreferencedSymbols;
            RelocationsKnown = relocationsKnown;
            FlagsOffset = flagsOffset;
        }

        public string Library { get; }
        public string Version { get; }
        public bool Weak { get; }
        public IReadOnlyList<string> ReferencedSymbols { get; }
        public IReadOnlyList<string> UnreferencedSymbols { get; }
        public bool RelocationsKnown { get; }
        public long FlagsOffset { get; }

        /// <summary>Whether marking it weak is safe: nothing the loader binds can be of this version.</summary>
        public bool Unused => RelocationsKnown && ReferencedSymbols.Count == 0;

        public override string ToString() => $"{Library} {Version}{(Weak ? " (weak)" : "")}";
    }

    /// <summary>
    /// Reads and edits the symbol-versioning sections of 64-bit little-endian ELF shared libraries (x86-64, AArch64):
    /// the versions a library defines (<c>.gnu.version_d</c>), the versions it needs (<c>.gnu.version_r</c>), which dynamic
    /// symbols are bound to each (<c>.gnu.version</c>) and which of those a relocation references.
    /// </summary>
    /// <remarks>
    /// Layouts (System V gABI and the LSB's symbol-versioning chapter): Elf64_Ehdr has e_machine at 0x12, e_shoff at 0x28,
    /// e_shentsize, e_shnum and e_shstrndx at 0x3a–0x3e (e_shnum 0: the count is section 0's sh_size); Elf64_Shdr is 64 bytes
    /// with sh_type at 4, sh_addr at 16, sh_offset at 24, sh_size at 32, sh_link at 40, sh_info at 44 and sh_entsize at 56;
    /// Elf64_Dyn is {i64 d_tag, u64 d_val}; Elf64_Verneed is {u16 vn_version, u16 vn_cnt,
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

        private const uint ShtRela = 4, ShtDynamic = 6, ShtRel = 9, ShtDynsym = 11;
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
            bool relocationsKnown = RelocationsKnown(elf);
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
                            relocationsKnown, entry + 4));
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
            if (dynsym.EntrySize < 24) throw elf.Malformed($"its dynamic symbols are {dynsym.EntrySize} bytes each, not 24");
            long symbolCount = dynsym.Size / dynsym.EntrySize;
            foreach (var versym in elf.Sections.Where(s => s.Type == ShtGnuVersym))
                for (int i = 0; i < Math.Min(symbolCount, versym.Size / 2); i++)
                {
                    int version = elf.U16(versym.Offset + 2L * i) & 0x7fff;
                    if (version <= 1) continue; // 0: local, 1: global without a version
                    if (!byVersion.TryGetValue(version, out var list)) byVersion[version] = list = new List<(int Index, string Name)>();
                    list.Add((i, elf.String(names, elf.U32(dynsym.Offset + i * dynsym.EntrySize))));
                }
            foreach (var relocations in SymbolRelocations(elf))
            {
                long size = relocations.EntrySize != 0 ? relocations.EntrySize : relocations.Type == ShtRela ? 24 : 16;
                for (long offset = relocations.Offset; offset + size <= relocations.Offset + relocations.Size; offset += size)
                    referenced.Add((int)(elf.U64(offset + 8) >> 32));
            }
            return (byVersion, referenced);
        }

        /// <summary>The REL and RELA sections whose entries index the dynamic symbol table.</summary>
        private static IEnumerable<SectionHeader> SymbolRelocations(Elf elf)
        {
            int dynsymIndex = elf.Sections.FindIndex(s => s.Type == ShtDynsym);
            return elf.Sections.Where(s => (s.Type == ShtRela || s.Type == ShtRel) && s.Link == dynsymIndex);
        }

        private const long DtNull = 0, DtPltRelSz = 2, DtRela = 7, DtRelaSz = 8, DtRel = 17, DtRelSz = 18, DtJmpRel = 23;

        /// <summary>
        /// Whether every relocation table the loader processes (the dynamic section's DT_RELA, DT_REL and DT_JMPREL ranges) lies
        /// inside the REL/RELA sections that <see cref="SymbolsByVersion"/> read. False for a table it did not read (a section
        /// linked elsewhere, or none), and for any other dynamic tag of a relocation kind it does not know (Android's packed
        /// relocations, say): then nothing can be called unreferenced. DT_RELR holds relative relocations only (no symbols).
        /// </summary>
        private static bool RelocationsKnown(Elf elf)
        {
            var read = SymbolRelocations(elf).Select(s => (Start: s.Address, End: s.Address + s.Size)).OrderBy(r => r.Start).ToList();
            var tables = new Dictionary<long, ulong>();
            foreach (var dynamic in elf.Sections.Where(s => s.Type == ShtDynamic))
                for (long entry = dynamic.Offset; entry + 16 <= dynamic.Offset + dynamic.Size; entry += 16)
                {
                    long tag = (long)elf.U64(entry);
                    if (tag == DtNull) break;
                    bool androidRelocations = tag >= 0x6000000f && tag <= 0x60000012;   // DT_ANDROID_REL(A)(SZ)
                    if (androidRelocations) return false;
                    tables[tag] = elf.U64(entry + 8);
                }
            foreach (var (start, size) in new[] { (DtRela, DtRelaSz), (DtRel, DtRelSz), (DtJmpRel, DtPltRelSz) })
            {
                if (!tables.TryGetValue(start, out var address) || !tables.TryGetValue(size, out var length) || length == 0) continue;
                long covered = (long)address, end = (long)(address + length);
                foreach (var range in read)
                    if (range.Start <= covered && range.End > covered) covered = range.End;
                if (covered < end) return false;
            }
            return true;
        }

        /// <summary>
        /// Marks weak the requirements of <paramref name="path"/> for versions of <paramref name="library"/> that the
        /// host's copy does not define (<paramref name="hostDefined"/>; null: every version, for a file that will run
        /// elsewhere) and whose symbols no relocation references (so the loader never looks them up), writing the file only
        /// if a flag changes. The file is rewritten through a temporary file in the same folder and renamed over the
        /// original, so a hard link (say, into the NuGet cache) is never written through; mode and modification time are
        /// kept, so an incremental copy sees the file as up to date and does not copy the original back.
        /// </summary>
        /// <returns>The requirements now weak that were not before, and the missing ones that cannot be weakened because a
        /// relocation references one of their symbols or the relocations could not all be read (the library cannot load on
        /// this host).</returns>
        /// <exception cref="InvalidDataException">the file is not a 64-bit little-endian ELF file, or a table lies outside it.</exception>
        public static (IReadOnlyList<VersionNeed> Weakened, IReadOnlyList<VersionNeed> Unfixable) WeakenMissing(string path,
            string library, ISet<string>? hostDefined)
        {
            var elf = new Elf(File.ReadAllBytes(path), path);
            var missing = Needs(elf).Where(n => n.Library == library && !n.Weak && hostDefined?.Contains(n.Version) != true).ToList();
            var weakened = missing.Where(n => n.Unused).ToList();
            if (weakened.Count > 0)
                Rewrite(path, weakened.Select(n => (n.FlagsOffset, (ushort)(elf.U16(n.FlagsOffset) | WeakFlag))));
            // Without a host to compare with, a requirement in use is not a problem: most hosts have the version.
            return (weakened, hostDefined is null ? new List<VersionNeed>() : missing.Where(n => !n.Unused).ToList());
        }

        /// <summary>The file's machine (e_machine: 62 for x86-64, 183 for AArch64).</summary>
        public static ushort Machine(string path) => new Elf(File.ReadAllBytes(path), path).U16(0x12);

        /// <summary>
        /// Writes 16-bit values at the given offsets of a copy of the file (File.Copy keeps the mode), gives it the original's
        /// modification time, and renames it over the original.
        /// </summary>
        private static void Rewrite(string path, IEnumerable<(long Offset, ushort Value)> edits)
        {
            var full = Path.GetFullPath(path);
            var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
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
            public SectionHeader(uint type, long address, long offset, long size, uint link, uint info, long entrySize)
            {
                Type = type;
                Address = address;
                Offset = offset;
                Size = size;
                Link = link;
                Info = info;
                EntrySize = entrySize;
            }

            public uint Type { get; }
            public long Address { get; }
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
                ulong tableOffset = U64(0x28);
                ushort entrySize = U16(0x3a);
                if (tableOffset == 0) throw Malformed("it has no section headers");
                if (tableOffset > (ulong)bytes.Length) throw Malformed("its section headers lie outside the file");
                if (entrySize < 64) throw Malformed($"its section header size is {entrySize}, not 64");
                // e_shnum 0 with section headers present: the count is in section 0's sh_size (extended numbering).
                long count = U16(0x3c) != 0 ? U16(0x3c) : (long)U64((long)tableOffset + 32);
                if (count > (bytes.Length - (long)tableOffset) / entrySize) throw Malformed($"its {count} section headers lie outside the file");
                Sections = new List<SectionHeader>((int)count);
                for (long i = 0; i < count; i++)
                {
                    long h = (long)tableOffset + i * entrySize;
                    ulong offset = U64(h + 24), size = U64(h + 32);
                    const uint ShtNobits = 8;
                    uint type = U32(h + 4);
                    if (type != ShtNobits && (offset > (ulong)bytes.Length || size > (ulong)bytes.Length - offset))
                        throw Malformed($"section {i} lies outside the file");
                    Sections.Add(new SectionHeader(type, (long)U64(h + 16), (long)offset, (long)size, U32(h + 40), U32(h + 44), (long)U64(h + 56)));
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

            public InvalidDataException Malformed(string why) => new($"{path} is not a readable ELF shared library: {why}.");
        }
    }

    /// <summary>
    /// For each shared library in <see cref="Files"/>: the versions of <see cref="Library"/> (libstdc++.so.6) it needs and
    /// that nothing in it references are marked weak, so the loader accepts their absence: with <see cref="ForAnyHost"/>
    /// false (a build, run where it is built), those this host's copy of the library lacks; with it true (a publish, run
    /// on a host unknown here), all of them (a weak requirement changes nothing where the version exists). A library that
    /// uses a missing version cannot be fixed: the task warns and leaves it as it is.
    /// </summary>
    public sealed class WeakenMissingLibraryVersions : Microsoft.Build.Utilities.Task
    {
        /// <summary>The shared libraries to check (copies in output folders, never the NuGet cache).</summary>
        [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>The soname whose version requirements are checked.</summary>
        public string Library { get; set; } = "libstdc++.so.6";

        /// <summary>The host's copy of <see cref="Library"/>; empty: searched in LD_LIBRARY_PATH and the loader's default folders.</summary>
        public string HostLibrary { get; set; } = "";

        /// <summary>Weaken every unused requirement, not only those this host lacks (for output that runs elsewhere).</summary>
        public bool ForAnyHost { get; set; }

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
            var changed = new List<ITaskItem>();
            foreach (var file in Files.Select(f => f.ItemSpec).Where(File.Exists).Distinct())
            {
                try
                {
                    ISet<string>? defined = null;
                    string where = "any host";
                    if (!ForAnyHost)
                    {
                        var machine = ElfVersionNeeds.Machine(file);
                        var host = HostLibrary.Length > 0 ? HostLibrary : FindHostLibrary(Library, machine);
                        if (host is null)
                        {
                            Log.LogMessage(MessageImportance.Low, $"{Library} for {Path.GetFileName(file)}'s machine was not found on this host; not checked.");
                            continue;
                        }
                        defined = new HashSet<string>(ElfVersionNeeds.DefinedVersions(host));
                        where = $"this host's {host}";
                    }
                    var (weakened, unfixable) = ElfVersionNeeds.WeakenMissing(file, Library, defined);
                    foreach (var need in weakened)
                        Log.LogMessage(MessageImportance.High,
                            $"{Path.GetFileName(file)} needs {need.Version} of {Library}, which {(ForAnyHost ? "some hosts lack" : where + " lacks")}; " +
                            $"the only symbols of that version ({string.Join(", ", need.UnreferencedSymbols)}) are never referenced, so the " +
                            $"requirement was marked weak in {file} (the NuGet package itself is unchanged).");
                    foreach (var need in unfixable)
                        Log.LogWarning($"{Path.GetFileName(file)} needs {need.Version} of {Library}, which {where} lacks, and " +
                                       (need.RelocationsKnown
                                           ? $"uses {string.Join(", ", need.ReferencedSymbols)} from it"
                                           : "not all of its relocation tables could be read, so its use of that version is unknown") +
                                       $": it cannot load here. Install a libstdc++ that defines {need.Version} (GCC 13's or newer).");
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

        /// <summary>
        /// The first <paramref name="library"/> built for <paramref name="machine"/> in LD_LIBRARY_PATH's folders, then in
        /// <see cref="DefaultFolders"/> (a file that is not a readable ELF library is passed over).
        /// </summary>
        public static string? FindHostLibrary(string library, ushort machine) =>
            FindHostLibrary(library, machine,
                (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries)
                .Concat(DefaultFolders));

        /// <summary>The first <paramref name="library"/> built for <paramref name="machine"/> in <paramref name="folders"/>.</summary>
        public static string? FindHostLibrary(string library, ushort machine, IEnumerable<string> folders)
        {
            foreach (var candidate in folders.Select(folder => Path.Combine(folder, library)).Where(File.Exists))
            {
                try
                {
                    if (ElfVersionNeeds.Machine(candidate) == machine) return candidate;
                }
                catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
                {
                }
            }
            return null;
        }
    }
}
