using System.Buffers.Binary;
using System.Text;

namespace TorchLossesTests.Build;

/// <summary>
/// Writes small ELF64 little-endian files with just the sections symbol versioning uses: a string table, dynamic symbols,
/// their version indices (.gnu.version), the version requirements (.gnu.version_r) or definitions (.gnu.version_d), and
/// relocations. They stand in for libLibTorchSharp.so (a library needing GLIBCXX_3.4.32 of libstdc++.so.6) and for a host's
/// libstdc++ (a library defining versions), so the edit can be tested byte by byte without a compiler.
/// </summary>
internal static class ElfFixture
{
    private const uint ShtStrtab = 3, ShtRela = 4, ShtDynamic = 6, ShtDynsym = 11;
    private const uint ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;

    /// <summary>The symbol GCC 13's &lt;iostream&gt; names with version GLIBCXX_3.4.32 (never relocated).</summary>
    public const string IosBaseLibraryInit = "_ZSt21ios_base_library_initv";

    /// <summary>An ordinary libstdc++ symbol of version GLIBCXX_3.4 (relocated: the loader binds it).</summary>
    public const string IosBaseInit = "_ZNSt8ios_base4InitC1Ev";

    /// <summary>
    /// A library that needs GLIBCXX_3.4 (for <see cref="IosBaseInit"/>, which a relocation references) and GLIBCXX_3.4.32
    /// (for <see cref="IosBaseLibraryInit"/>, which no relocation references unless <paramref name="relocateNewSymbol"/>).
    /// Its dynamic section names the relocation table (DT_RELA, DT_RELASZ), as the loader reads it; with
    /// <paramref name="unattributedRelocations"/> the table's section is not linked to the dynamic symbols, so a reader
    /// cannot tell which symbols it references.
    /// </summary>
    public static byte[] NeedingLibrary(bool relocateNewSymbol = false, bool unattributedRelocations = false)
    {
        var strings = new StringTable();
        uint library = strings.Add("libstdc++.so.6"), old = strings.Add("GLIBCXX_3.4"), recent = strings.Add("GLIBCXX_3.4.32");
        uint init = strings.Add(IosBaseInit), libraryInit = strings.Add(IosBaseLibraryInit);

        var symbols = new byte[3 * 24];                       // 0: the null symbol, 1: ios_base::Init, 2: ios_base_library_init
        BinaryPrimitives.WriteUInt32LittleEndian(symbols.AsSpan(24), init);
        symbols[24 + 4] = 0x12;                               // STB_GLOBAL, STT_FUNC, undefined (st_shndx 0)
        BinaryPrimitives.WriteUInt32LittleEndian(symbols.AsSpan(48), libraryInit);
        symbols[48 + 4] = 0x12;

        var versions = new byte[6];                           // version index per symbol: 2 = GLIBCXX_3.4, 3 = GLIBCXX_3.4.32
        BinaryPrimitives.WriteUInt16LittleEndian(versions.AsSpan(2), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(versions.AsSpan(4), 3);

        var needs = new byte[16 + 2 * 16];
        BinaryPrimitives.WriteUInt16LittleEndian(needs.AsSpan(0), 1);      // vn_version
        BinaryPrimitives.WriteUInt16LittleEndian(needs.AsSpan(2), 2);      // vn_cnt
        BinaryPrimitives.WriteUInt32LittleEndian(needs.AsSpan(4), library);
        BinaryPrimitives.WriteUInt32LittleEndian(needs.AsSpan(8), 16);     // vn_aux
        WriteVernaux(needs.AsSpan(16), "GLIBCXX_3.4", index: 2, old, next: 16);
        WriteVernaux(needs.AsSpan(32), "GLIBCXX_3.4.32", index: 3, recent, next: 0);

        var relocations = new byte[(relocateNewSymbol ? 2 : 1) * 24];
        WriteRela(relocations.AsSpan(0), symbol: 1);
        if (relocateNewSymbol) WriteRela(relocations.AsSpan(24), symbol: 2);

        var (file, offsets) = Assemble(strings,
            (".dynsym", ShtDynsym, symbols, Link: 1, Info: 1, EntrySize: 24),
            (".gnu.version", ShtGnuVersym, versions, Link: 2, Info: 0, EntrySize: 2),
            (".gnu.version_r", ShtGnuVerneed, needs, Link: 1, Info: 1, EntrySize: 0),
            (".rela.dyn", ShtRela, relocations, Link: unattributedRelocations ? 0u : 2u, Info: 0, EntrySize: 24),
            (".dynamic", ShtDynamic, new byte[3 * 16], Link: 1, Info: 0, EntrySize: 16));
        // The dynamic section (section 6): DT_RELA = the table's address, DT_RELASZ = its size, DT_NULL. Addresses equal
        // file offsets here (see Assemble).
        var dynamic = file.AsSpan((int)offsets[6]);
        BinaryPrimitives.WriteInt64LittleEndian(dynamic, 7);
        BinaryPrimitives.WriteUInt64LittleEndian(dynamic[8..], (ulong)offsets[5]);
        BinaryPrimitives.WriteInt64LittleEndian(dynamic[16..], 8);
        BinaryPrimitives.WriteUInt64LittleEndian(dynamic[24..], (ulong)relocations.Length);
        return file;
    }

    /// <summary>A library defining the given versions (the first one, as in real libraries, being the file's own name).</summary>
    public static byte[] DefiningLibrary(params string[] versions) => DefiningLibraryFor(X86_64, versions);

    /// <summary>e_machine of x86-64 and of AArch64.</summary>
    public const ushort X86_64 = 62, AArch64 = 183;

    /// <summary><see cref="DefiningLibrary"/> built for another machine (e_machine).</summary>
    public static byte[] DefiningLibraryFor(ushort machine, params string[] versions)
    {
        var file = DefiningLibraryBytes(versions);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(18), machine);
        return file;
    }

    private static byte[] DefiningLibraryBytes(string[] versions)
    {
        var strings = new StringTable();
        var definitions = new byte[versions.Length * 28];
        for (int i = 0; i < versions.Length; i++)
        {
            var entry = definitions.AsSpan(i * 28);
            BinaryPrimitives.WriteUInt16LittleEndian(entry, 1);                     // vd_version
            BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], (ushort)(i == 0 ? 1 : 0));   // vd_flags: VER_FLG_BASE on the first
            BinaryPrimitives.WriteUInt16LittleEndian(entry[4..], (ushort)(i + 1));  // vd_ndx
            BinaryPrimitives.WriteUInt16LittleEndian(entry[6..], 1);                // vd_cnt
            BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], ElfHash(versions[i]));
            BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], 20);              // vd_aux
            BinaryPrimitives.WriteUInt32LittleEndian(entry[16..], i + 1 < versions.Length ? 28u : 0u);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[20..], strings.Add(versions[i]));   // vda_name
        }
        return Assemble(strings, (".gnu.version_d", ShtGnuVerdef, definitions, Link: 1, Info: (uint)versions.Length, EntrySize: 0)).File;
    }

    private static void WriteVernaux(Span<byte> entry, string version, ushort index, uint name, uint next)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(entry, ElfHash(version));
        BinaryPrimitives.WriteUInt16LittleEndian(entry[4..], 0);        // vna_flags
        BinaryPrimitives.WriteUInt16LittleEndian(entry[6..], index);    // vna_other
        BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], name);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], next);
    }

    private static void WriteRela(Span<byte> entry, uint symbol) =>
        BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], ((ulong)symbol << 32) | 6);   // R_X86_64_GLOB_DAT

    /// <summary>The System V ELF hash of a name (vna_hash, vd_hash).</summary>
    private static uint ElfHash(string name)
    {
        uint h = 0;
        foreach (var c in Encoding.ASCII.GetBytes(name))
        {
            h = (h << 4) + c;
            uint g = h & 0xf0000000;
            if (g != 0) h ^= g >> 24;
            h &= ~g;
        }
        return h;
    }

    /// <summary>
    /// Lays out: the 64-byte ELF header, the string table (section 1), the given sections (2, 3, …), the section-name table,
    /// then the section headers. Links are section indices of the file (1: the string table, 2: the first given section).
    /// Each section's address is its file offset. Returns the file and each section's offset.
    /// </summary>
    private static (byte[] File, long[] Offsets) Assemble(StringTable strings, params (string Name, uint Type, byte[] Data, uint Link, uint Info, ulong EntrySize)[] sections)
    {
        var names = new StringTable();
        var all = new List<(uint Name, uint Type, byte[] Data, uint Link, uint Info, ulong EntrySize)>
        {
            (0, 0, Array.Empty<byte>(), 0, 0, 0),
            (names.Add(".dynstr"), ShtStrtab, strings.Bytes(), 0, 0, 0),
        };
        all.AddRange(sections.Select(s => (names.Add(s.Name), s.Type, s.Data, s.Link, s.Info, s.EntrySize)));
        uint shstrtabName = names.Add(".shstrtab");
        all.Add((shstrtabName, ShtStrtab, names.Bytes(), 0, 0, 0));

        var body = new MemoryStream();
        body.Write(new byte[64]);
        var offsets = new List<long>();
        foreach (var s in all)
        {
            while (body.Length % 8 != 0) body.WriteByte(0);
            offsets.Add(body.Length);
            body.Write(s.Data);
        }
        while (body.Length % 8 != 0) body.WriteByte(0);
        long headers = body.Length;
        for (int i = 0; i < all.Count; i++)
        {
            var h = new byte[64];
            BinaryPrimitives.WriteUInt32LittleEndian(h, all[i].Name);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(4), all[i].Type);
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(16), i == 0 ? 0 : (ulong)offsets[i]);
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(24), i == 0 ? 0 : (ulong)offsets[i]);
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(32), (ulong)all[i].Data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(40), all[i].Link);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(44), all[i].Info);
            BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(56), all[i].EntrySize);
            body.Write(h);
        }

        var file = body.ToArray();
        "\u007fELF"u8.CopyTo(file);
        file[4] = 2;                                                         // ELFCLASS64
        file[5] = 1;                                                         // ELFDATA2LSB
        file[6] = 1;                                                         // EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(16), 3);       // ET_DYN
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(18), 62);      // EM_X86_64
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(0x28), (ulong)headers);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x34), 64);    // e_ehsize
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x3a), 64);    // e_shentsize
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x3c), (ushort)all.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x3e), (ushort)(all.Count - 1));
        return (file, offsets.ToArray());
    }

    /// <summary>A NUL-separated string table whose first byte is NUL, as ELF requires.</summary>
    private sealed class StringTable
    {
        private readonly MemoryStream bytes = new();

        public StringTable() => bytes.WriteByte(0);

        public uint Add(string name)
        {
            uint offset = (uint)bytes.Position;
            bytes.Write(Encoding.ASCII.GetBytes(name));
            bytes.WriteByte(0);
            return offset;
        }

        public byte[] Bytes() => bytes.ToArray();
    }
}
