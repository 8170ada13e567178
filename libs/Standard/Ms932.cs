using System.Text;

namespace CarePlanMesh.Standard;

/// <summary>Strict MS932 (Windows-31J) decoding as the standard requires (spec README §4).</summary>
public static class Ms932
{
    /// <summary>MS932 that throws on characters it cannot encode and bytes it cannot decode.</summary>
    public static Encoding Encoding { get; } = Create(DecoderFallback.ExceptionFallback);

    static Encoding Create(DecoderFallback decoderFallback)
    {
        // Code pages other than UTF and Latin-1 are opt-in on .NET; registering twice is harmless.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(932, EncoderFallback.ExceptionFallback, decoderFallback);
    }

    /// <summary>
    /// Decodes the bytes and reports, with byte offset and line, a BOM, undecodable bytes, a file that is really UTF-8,
    /// and 外字: the MS932 user-defined area (0xF040–0xF9FC) decodes silently to Private Use characters.
    /// </summary>
    /// <returns>The decoded characters; no copy into a string, so a large file is held once.</returns>
    public static ReadOnlyMemory<char> Decode(string file, ReadOnlySpan<byte> bytes, List<Defect> defects, int maxDefects = 20)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            defects.Add(Defect.Error(file, "encoding.bom",
                "ファイル先頭にUTF-8のBOMがあります。MS932（Shift_JIS）でBOMなしで出力してください。",
                "The file starts with a UTF-8 byte order mark; write it in MS932 (Shift_JIS) without a BOM.", line: 1));
            return ReadOnlyMemory<char>.Empty;
        }

        var recorder = new RecordingFallback(maxDefects);
        var text = DecodeOnce(Create(recorder), bytes);
        if (recorder.Offsets.Count > 0)
        {
            if (LooksLikeUtf8(bytes))
            {
                var first = recorder.Offsets[0];
                defects.Add(Defect.Error(file, "encoding.utf8",
                    $"ファイルはUTF-8で書かれているようです（最初の不正バイト: {first}バイト目、{LineAt(bytes, first)}行目）。MS932で出力してください。",
                    $"The file appears to be UTF-8 (first invalid byte at offset {first}, line {LineAt(bytes, first)}); write it in MS932.",
                    line: LineAt(bytes, first)));
                return text;
            }
            foreach (var offset in recorder.Offsets)
                defects.Add(Defect.Error(file, "encoding.undecodable",
                    $"MS932として解読できないバイトがあります（{offset}バイト目）。",
                    $"Bytes at offset {offset} are not valid MS932.", line: LineAt(bytes, offset)));
            if (recorder.Count > recorder.Offsets.Count)
                defects.Add(Defect.Error(file, "encoding.undecodable",
                    $"ほかに{recorder.Count - recorder.Offsets.Count}か所、MS932として解読できないバイトがあります。",
                    $"{recorder.Count - recorder.Offsets.Count} more places hold bytes that are not valid MS932."));
        }

        // 外字 are rare: a vectorised search finds them, lines are counted only up to each one found.
        var span = text.Span;
        var (found, line, lineStart, counted) = (0, 1, 0, 0);
        for (var at = span.IndexOfAnyInRange('\uE000', '\uF8FF'); at >= 0; at = NextGaiji(span, at))
        {
            if (++found > maxDefects)
                continue;
            line += span[counted..at].Count('\n');
            counted = at;
            lineStart = span[..at].LastIndexOf('\n') + 1;
            defects.Add(Defect.Error(file, "encoding.gaiji",
                $"外字（MS932のユーザー定義領域の文字）が含まれています（{line}行目{at - lineStart + 1}文字目）。標準の文字に置き換えてください。",
                $"A user-defined character (外字, MS932 private area) at line {line}, character {at - lineStart + 1}; replace it with a standard character.",
                line: line));
        }
        if (found > maxDefects)
            defects.Add(Defect.Error(file, "encoding.gaiji",
                $"ほかに{found - maxDefects}文字の外字があります。", $"{found - maxDefects} more user-defined characters (外字) follow."));
        return text;
    }

    static int NextGaiji(ReadOnlySpan<char> text, int after) =>
        text[(after + 1)..].IndexOfAnyInRange('\uE000', '\uF8FF') is var next and >= 0 ? after + 1 + next : -1;

    static int LineAt(ReadOnlySpan<byte> bytes, int offset) => bytes[..Math.Min(offset, bytes.Length)].Count((byte)'\n') + 1;

    static bool LooksLikeUtf8(ReadOnlySpan<byte> bytes)
    {
        var nonAscii = false;
        foreach (var b in bytes)
            if (b >= 0x80) { nonAscii = true; break; }
        return nonAscii && Utf8.IsValid(bytes);
    }

    sealed class Utf8
    {
        static readonly UTF8Encoding Strict = new(false, true);
        public static bool IsValid(ReadOnlySpan<byte> bytes)
        {
            try { Strict.GetCharCount(bytes); return true; }
            catch (DecoderFallbackException) { return false; }
        }
    }

    /// <summary>
    /// One pass over the bytes (GetString would run the fallback twice: to count, then to decode), so every undecodable
    /// place is seen once and memory stays bounded however much binary junk a file holds.
    /// </summary>
    static ReadOnlyMemory<char> DecodeOnce(Encoding encoding, ReadOnlySpan<byte> bytes)
    {
        var chars = new char[encoding.GetMaxCharCount(bytes.Length)];
        encoding.GetDecoder().Convert(bytes, chars, flush: true, out _, out var used, out _);
        return chars.AsMemory(0, used);
    }

    sealed class RecordingFallback(int keep) : DecoderFallback
    {
        /// <summary>The first offsets, for the report; <see cref="Count"/> counts them all.</summary>
        public List<int> Offsets { get; } = [];
        public int Count { get; private set; }
        public override int MaxCharCount => 1;
        public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer(this);

        void Record(int index)
        {
            if (Count++ < keep)
                Offsets.Add(index);
        }

        sealed class Buffer(RecordingFallback owner) : DecoderFallbackBuffer
        {
            bool _pending;
            public override bool Fallback(byte[] bytesUnknown, int index)
            {
                owner.Record(index);
                _pending = true;
                return true;
            }
            public override char GetNextChar()
            {
                if (!_pending) return '\0';
                _pending = false;
                return '\uFFFD';
            }
            public override bool MovePrevious() => false;
            public override int Remaining => _pending ? 1 : 0;
        }
    }
}
