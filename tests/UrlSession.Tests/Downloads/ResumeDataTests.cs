using System.Security.Cryptography;
using UrlSessions.Tests.Support;

namespace UrlSessions.Tests.Downloads;

public sealed class ResumeDataTests : IDisposable
{
    private static readonly Uri Url = new("http://example.test/file.bin");
    private readonly string _folder = Directory.CreateTempSubdirectory("urlsession-resume-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Blob_round_trips_every_field()
    {
        var data = new ResumeData(Url, "GET", [new("Accept", "*/*")], 1234, "\"e\"", "Wed, 21 Oct 2015 07:28:00 GMT", 9999, Path.Combine(_folder, "p.tmp"));

        var decoded = ResumeData.Decode(data.Encode());

        decoded.Should().BeEquivalentTo(data);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("truncated")]
    [InlineData("corrupted")]
    [InlineData("wrong-version")]
    [InlineData("not-ours")]
    public async Task Unusable_blob_fails_the_task_with_CannotDecodeRawData(string kind)
    {
        var blob = ValidBlob(Path.Combine(_folder, "p.tmp"), bytes: 10);
        blob = kind switch
        {
            "empty" => [],
            "truncated" => blob[..(blob.Length / 2)],
            "corrupted" => Flip(blob, blob.Length / 2),
            "wrong-version" => WithVersion(blob, 9),
            _ => "hello, I am not resume data"u8.ToArray(),
        };

        var error = await RunResumed(blob);

        error!.Code.Should().Be(UrlErrorCode.CannotDecodeRawData);
        error.Message.Should().StartWith("The resume data cannot be used");
    }

    [Fact]
    public async Task Blob_whose_partial_file_is_gone_fails_with_FileDoesNotExist()
    {
        var error = await RunResumed(ValidBlob(Path.Combine(_folder, "gone.tmp"), bytes: 10));

        error!.Code.Should().Be(UrlErrorCode.FileDoesNotExist);
    }

    [Fact]
    public async Task Blob_whose_partial_file_is_shorter_than_recorded_fails_with_CannotOpenFile()
    {
        var path = Path.Combine(_folder, "short.tmp");
        await File.WriteAllBytesAsync(path, new byte[5]);

        var error = await RunResumed(ValidBlob(path, bytes: 10));

        error!.Code.Should().Be(UrlErrorCode.CannotOpenFile);
        File.ReadAllBytes(path).Should().HaveCount(5, "a refused blob touches nothing");
    }

    [Fact]
    public async Task Blob_pointing_outside_the_download_folder_is_refused_and_the_file_untouched()
    {
        var outside = Directory.CreateTempSubdirectory("urlsession-outside-").FullName;
        try
        {
            var victim = Path.Combine(outside, "precious.txt");
            await File.WriteAllTextAsync(victim, "keep me");

            var error = await RunResumed(ValidBlob(victim, bytes: 3));

            error!.Code.Should().Be(UrlErrorCode.CannotOpenFile);
            File.ReadAllText(victim).Should().Be("keep me");
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task Thousands_of_mutated_blobs_are_all_rejected_cleanly()
    {
        var partial = Path.Combine(_folder, "fuzz.tmp");
        await File.WriteAllBytesAsync(partial, new byte[100]);
        var original = ValidBlob(partial, bytes: 100);
        var random = new Random(20261125);
        var server = new RangeServingHandler(new byte[200]);
        await using var session = Session(server);
        var codes = new HashSet<UrlErrorCode>();

        for (var i = 0; i < 3000; i++)
        {
            var mutated = Mutate(original, random);
            if (mutated.AsSpan().SequenceEqual(original))
            {
                continue;
            }

            var task = session.CreateDownloadTask(mutated, (_, _, _) => { });
            task.Resume();
            await task.Completion;
            task.Error.Should().NotBeNull($"mutation {i} must be refused");
            codes.Add(task.Error!.Code);
        }

        codes.Should().BeSubsetOf([UrlErrorCode.CannotDecodeRawData]);
        server.Requests.Should().BeEmpty("no refused blob reaches the network");
        File.ReadAllBytes(partial).Should().HaveCount(100);
        Directory.GetFiles(_folder).Should().ContainSingle();
    }

    [Theory]
    [InlineData("partialFile", "null")]
    [InlineData("method", "null")]
    [InlineData("method", "\"\"")]
    [InlineData("method", "\"G E T\"")]
    [InlineData("url", "null")]
    [InlineData("headers", "[[\"X-Ok\", null]]")]
    [InlineData("headers", "[[null, \"x\"]]")]
    public async Task Blob_with_a_valid_checksum_but_a_null_or_invalid_field_fails_the_task_with_CannotDecodeRawData(string field, string json)
    {
        var partial = Path.Combine(_folder, "p.tmp");
        await File.WriteAllBytesAsync(partial, new byte[10]);
        var fields = new Dictionary<string, string>
        {
            ["url"] = "\"http://example.test/file.bin\"",
            ["method"] = "\"GET\"",
            ["headers"] = "[]",
            ["bytesReceived"] = "10",
            ["etag"] = "\"\\\"v1\\\"\"",
            ["lastModified"] = "null",
            ["expectedLength"] = "100",
            ["partialFile"] = System.Text.Json.JsonSerializer.Serialize(partial),
        };
        fields[field] = json;
        var payload = "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}";

        var error = await RunResumed(SealedBlob(System.Text.Encoding.UTF8.GetBytes(payload)));

        error!.Code.Should().Be(UrlErrorCode.CannotDecodeRawData);
        File.ReadAllBytes(partial).Should().HaveCount(10, "a refused blob touches nothing");
    }

    private async Task<UrlError?> RunResumed(byte[] blob)
    {
        var server = new RangeServingHandler(new byte[100]);
        await using var session = Session(server);
        var task = session.CreateDownloadTask(blob, (_, _, _) => { });
        task.Resume();
        await task.Completion;
        server.Requests.Should().BeEmpty();
        return task.Error;
    }

    private static byte[] ValidBlob(string partialPath, long bytes) =>
        new ResumeData(Url, "GET", [], bytes, "\"v1\"", null, 100, partialPath).Encode();

    /// <summary>A blob in the documented format around any payload, with a correct checksum (as a crafted blob would have).</summary>
    private static byte[] SealedBlob(byte[] payload)
    {
        var blob = new byte[9 + payload.Length + 32];
        "USRD"u8.CopyTo(blob);
        blob[4] = ResumeData.CurrentVersion;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(5), payload.Length);
        payload.CopyTo(blob.AsSpan(9));
        SHA256.HashData(blob.AsSpan(0, blob.Length - 32), blob.AsSpan(blob.Length - 32));
        return blob;
    }

    private static byte[] Flip(byte[] blob, int index)
    {
        var copy = blob.ToArray();
        copy[index] ^= 0x5A;
        return copy;
    }

    private static byte[] WithVersion(byte[] blob, byte version)
    {
        var copy = blob.ToArray();
        copy[4] = version;
        return copy;
    }

    private static byte[] Mutate(byte[] blob, Random random)
    {
        var copy = blob.ToList();
        switch (random.Next(4))
        {
            case 0:
                copy[random.Next(copy.Count)] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                var start = random.Next(copy.Count);
                copy.RemoveRange(start, Math.Min(copy.Count - start, 1 + random.Next(8)));
                break;
            case 2:
                copy.InsertRange(random.Next(copy.Count), RandomNumberGenerator.GetBytes(1 + random.Next(8)));
                break;
            default:
                copy[random.Next(copy.Count)] = (byte)random.Next(256);
                break;
        }

        return [.. copy];
    }

    private UrlSession Session(HttpMessageHandler handler)
    {
        return TestSessions.Mock(handler, configure: c => c.DownloadDirectory = _folder);
    }
}
