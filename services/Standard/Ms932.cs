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
    public static string Decode(string file, ReadOnlySpan<byte> bytes, List<Defect> defects, int maxDefects = 20)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            defects.Add(Defect.Error(file, "encoding.bom",
                "ファイル先頭にUTF-8のBOMがあります。MS932（Shift_JIS）でBOMなしで出力してください。",
                "The file starts with a UTF-8 byte order mark; write it in MS932 (Shift_JIS) without a BOM.", line: 1));
            return "";
        }

        var recorder = new RecordingFallback();
        var text = Create(recorder).GetString(bytes);
        if (recorder.Offsets.Count > 0)
        {
            if (LooksLikeUtf8(bytes))
            {
                defects.Add(Defect.Error(file, "encoding.utf8",
                    $"ファイルはUTF-8で書かれているようです（最初の不正バイト: {recorder.Offsets.Min}バイト目、{LineAt(bytes, recorder.Offsets.Min)}行目）。MS932で出力してください。",
                    $"The file appears to be UTF-8 (first invalid byte at offset {recorder.Offsets.Min}, line {LineAt(bytes, recorder.Offsets.Min)}); write it in MS932.",
                    line: LineAt(bytes, recorder.Offsets.Min)));
                return text;
            }
            foreach (var offset in recorder.Offsets.Take(maxDefects))
                defects.Add(Defect.Error(file, "encoding.undecodable",
                    $"MS932として解読できないバイトがあります（{offset}バイト目）。",
                    $"Bytes at offset {offset} are not valid MS932.", line: LineAt(bytes, offset)));
        }

        var line = 1;
        var column = 1;
        var reported = 0;
        foreach (var c in text)
        {
            if (c is >= '\uE000' and <= '\uF8FF' && reported++ < maxDefects)
                defects.Add(Defect.Error(file, "encoding.gaiji",
                    $"外字（MS932のユーザー定義領域の文字）が含まれています（{line}行目{column}文字目）。標準の文字に置き換えてください。",
                    $"A user-defined character (外字, MS932 private area) at line {line}, character {column}; replace it with a standard character.",
                    line: line));
            if (c == '\n') { line++; column = 1; }
            else column++;
        }
        return text;
    }

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

    sealed class RecordingFallback : DecoderFallback
    {
        // A set: GetString runs the fallback once to count and once to decode.
        public SortedSet<int> Offsets { get; } = [];
        public override int MaxCharCount => 1;
        public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer(this);

        sealed class Buffer(RecordingFallback owner) : DecoderFallbackBuffer
        {
            bool _pending;
            public override bool Fallback(byte[] bytesUnknown, int index)
            {
                owner.Offsets.Add(index);
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
