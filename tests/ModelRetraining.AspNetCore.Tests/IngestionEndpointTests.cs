using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML;
using Microsoft.ML.Data;
using ModelRetraining.Parquet;
using QuickStart;

namespace ModelRetraining.AspNetCore.Tests;

/// <summary>
/// The upload endpoint in a real Kestrel host on 127.0.0.1, sent real flights (January 2001) over HTTP: what is
/// stored, and every refusal with nothing stored.
/// </summary>
public sealed partial class IngestionEndpointTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mr-ingest", Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private DatasetStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = DatasetStore.Embedded(Path.Combine(_folder, "store"));
        Directory.CreateDirectory(Path.Combine(_folder, "spool"));
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>("Test", null);
        builder.Services.AddAuthorization(o => o.AddPolicy("flights-uploaders", p => p.RequireRole("uploader")));
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapRetrainingIngestion("/ingest", _store, o =>
        {
            o.Dataset("flights", FlightDelays.Schema(), policy: "flights-uploaders");
            o.MaxBodyBytes = 1 << 20;
            o.MaxRows = 5_000;
            o.SpoolFolder = Path.Combine(_folder, "spool");
            o.Dataset("flights-raw", new CsvSchema().Time("date").Numeric("delay").Numeric("distance").Text("origin").Text("destination"), policy: "flights-uploaders");
            o.AcceptFormat("application/vnd.apache.parquet", ".parquet", (file, _) => ParquetDataSource.FromPath(file));
        });
        _app.MapRetrainingIngestion("/parts", _store, o =>
        {
            o.Dataset("flights-parts", FlightDelays.Schema(), policy: "flights-uploaders");
            o.Dataset("raw-parts", new CsvSchema().Time("date").Numeric("delay").Text("note"), policy: "flights-uploaders");
            o.PartRows = 1_000;
            o.MaxBodyBytes = 1 << 20;
            o.MaxRows = 5_000;
            o.SpoolFolder = Path.Combine(_folder, "spool");
        });
        _app.MapRetrainingIngestion("/slow", _store, o =>
        {
            o.Dataset("flights", FlightDelays.Schema(), policy: "flights-uploaders");
            o.RequestTimeout = TimeSpan.FromMilliseconds(500);
            o.SpoolFolder = Path.Combine(_folder, "spool");
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static string Flights(int rows)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(FlightDelays.DataFile), CompressionMode.Decompress));
        var lines = new List<string>();
        for (var i = 0; i <= rows && reader.ReadLine() is { } line; i++)
        {
            lines.Add(line);
        }

        return string.Join('\n', lines) + "\n";
    }

    private Task<HttpResponseMessage> PostAsync(string body, string? user = "alice", string roles = "uploader", string contentType = "text/csv", string? key = null, string dataset = "flights", string prefix = "/ingest")
        => PostAsync(new StringContent(body, Encoding.UTF8), user, roles, contentType, key, dataset, prefix);

    private Task<HttpResponseMessage> PostAsync(HttpContent content, string? user = "alice", string roles = "uploader", string contentType = "text/csv", string? key = null, string dataset = "flights", string prefix = "/ingest", CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{prefix}/{dataset}/batches") { Content = content };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (user is not null)
        {
            request.Headers.Add("X-Test-User", user);
            request.Headers.Add("X-Test-Roles", roles);
        }

        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return _http.SendAsync(request, cancellationToken);
    }

    private async Task<int> StoredBatchesAsync(string dataset = "flights")
    {
        var count = 0;
        await foreach (var _ in _store.ListBatchesAsync(dataset))
        {
            count++;
        }

        return count;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private void AssertSpoolEmpty() => Assert.Empty(Directory.GetFiles(Path.Combine(_folder, "spool")));

    [Fact]
    public async Task AnAuthorizedCsvUpload_IsStoredAsABatch_WithItsIdRowsAndSender()
    {
        var response = await PostAsync(Flights(2_000));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("flights#1", body.GetProperty("id").GetString());
        Assert.Equal(2_000, body.GetProperty("rows").GetInt64());
        Assert.EndsWith("/ingest/flights/batches/1", response.Headers.Location!.ToString(), StringComparison.Ordinal);

        var batch = await _store.ListBatchesAsync("flights").SingleAsync();
        Assert.Equal("alice", batch.SentBy);
        Assert.Contains("HTTP upload to flights by alice", batch.Source, StringComparison.Ordinal);
        var window = await _store.Window("flights", labelColumn: "Late").LoadAsync(new RetrainingContext("flight-delays", "t", TimeProvider.System));
        Assert.Equal(2_000, window.RowCount);
        AssertSpoolEmpty();
    }

    [Fact]
    public async Task WithoutCredentials_Is401_AndNothingIsStored()
    {
        var response = await PostAsync(Flights(10), user: null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(0, await StoredBatchesAsync());
    }

    [Fact]
    public async Task WithCredentialsButNoPermissionOnTheDataset_Is403()
    {
        var response = await PostAsync(Flights(10), roles: "viewer");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("'alice' may not upload to 'flights'", (await JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await StoredBatchesAsync());
    }

    [Fact]
    public async Task AnUnknownDataset_Is404()
        => Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(Flights(10), dataset: "payroll")).StatusCode);

    [Fact]
    public async Task AWrongContentType_Is415()
    {
        var response = await PostAsync(Flights(10), contentType: "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(0, await StoredBatchesAsync());
    }

    [Fact]
    public async Task ABodyOverTheSizeLimit_Is413_AndNothingIsStoredOrLeftBehind()
    {
        var response = await PostAsync(Flights(40_000)); // about 1.4 MB, over the 1 MiB limit
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, await StoredBatchesAsync());
        AssertSpoolEmpty();
    }

    [Fact]
    public async Task AChunkedBodyWithNoLength_IsCountedWhileItStreams_And413AtTheLimit()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/ingest/flights/batches") { Content = new UnsizedContent(Encoding.UTF8.GetBytes(Flights(40_000))) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        request.Headers.Add("X-Test-User", "alice");
        request.Headers.Add("X-Test-Roles", "uploader");
        var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, await StoredBatchesAsync());
        AssertSpoolEmpty();
    }

    // Sent with Transfer-Encoding: chunked: the server cannot refuse by Content-Length and must count.
    private sealed class UnsizedContent(byte[] bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            foreach (var chunk in bytes.Chunk(16_384))
            {
                await stream.WriteAsync(chunk);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task MoreRowsThanAllowed_Is413()
    {
        var response = await PostAsync(Flights(6_000));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most 5000 (MaxRows)", (await JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await StoredBatchesAsync());
    }

    [Fact]
    public async Task AHeaderThatDiffersFromTheSchema_Is422_WithEveryIssue_AndNoSpoolName()
    {
        var body = Flights(100).Replace("date,delay,distance", "date,delay,miles", StringComparison.Ordinal);
        var response = await PostAsync(body);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await JsonAsync(response);
        var issue = problem.GetProperty("issues").EnumerateArray().Single(i => i.GetProperty("column").GetString() == "distance");
        Assert.Equal("schema.missing-column", issue.GetProperty("rule").GetString());
        Assert.DoesNotContain("mr-upload-", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await StoredBatchesAsync());
        AssertSpoolEmpty();
    }

    [Fact]
    public async Task ABodyThatEndsMidRecord_Is422_AndNothingIsStored()
    {
        var body = Flights(50) + "2001-01-02 10:00:00,5,\"300";  // an opened quote the body never closes
        var response = await PostAsync(body);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("never closed", (await JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await StoredBatchesAsync());
    }

    [Fact]
    public async Task TheSameIdempotencyKey_StoresOnce_AndWithAnotherBody_Is409()
    {
        var first = await PostAsync(Flights(100), key: "req-1");
        var retry = await PostAsync(Flights(100), key: "req-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal((await JsonAsync(first)).GetProperty("id").GetString(), (await JsonAsync(retry)).GetProperty("id").GetString());

        var other = await PostAsync(Flights(101), key: "req-1");
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal(1, await StoredBatchesAsync());
    }

    [Fact]
    public async Task AnonymousUploads_NeedTheHostToSaySo()
    {
        await using var app = WebApplication.CreateBuilder().Build();
        var error = Assert.Throws<OptionsValidationException>(() => app.MapRetrainingIngestion("/ingest", _store, _ => { }));
        Assert.Contains("No dataset is accepted", error.Message, StringComparison.Ordinal);
        Assert.False(new IngestionOptions().AllowAnonymous);
    }

    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers["X-Test-User"].FirstOrDefault() is not { Length: > 0 } user)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var claims = new List<Claim> { new(ClaimTypes.Name, user) };
            claims.AddRange((Request.Headers["X-Test-Roles"].FirstOrDefault() ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => new Claim(ClaimTypes.Role, r)));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, "Test")), "Test")));
        }
    }
}
