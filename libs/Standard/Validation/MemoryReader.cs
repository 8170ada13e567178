namespace CarePlanMesh.Standard;

/// <summary>A TextReader over decoded characters, so CsvHelper parses them without a copy into one large string.</summary>
sealed class MemoryReader(ReadOnlyMemory<char> text) : TextReader
{
    int _position;

    public override int Peek() => _position < text.Length ? text.Span[_position] : -1;

    public override int Read() => _position < text.Length ? text.Span[_position++] : -1;

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        var count = Math.Min(buffer.Length, text.Length - _position);
        text.Span.Slice(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }
}
