namespace CarePlanMesh.Standard.Tests;

public class SendUnitArchiveTests
{
    [Fact]
    public void Returns_every_file_byte_for_byte_under_its_name()
    {
        var files = new[] { SampleFiles.Plan, SampleFiles.Table7, SampleFiles.Supplement }
            .Select(n => new SendUnitArchive.Entry(n, SampleFiles.Ms932Bytes(n))).ToList();

        var read = SendUnitArchive.Read(SendUnitArchive.Create(files));

        Assert.Equal(files.Select(f => f.Name), read.Select(f => f.Name));
        Assert.All(files.Zip(read), pair => Assert.Equal(pair.First.Content, pair.Second.Content));
    }

    [Fact]
    public void Refuses_an_entry_over_the_size_limit()
    {
        var archive = SendUnitArchive.Create([new SendUnitArchive.Entry("a.CSV", new byte[2048])]);

        Assert.Throws<InvalidDataException>(() => SendUnitArchive.Read(archive, maxEntryBytes: 1024));
    }
}
