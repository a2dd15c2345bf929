using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ModelRetraining.AspNetCore;

/// <summary>
/// The upload endpoint: <c>POST {prefix}/{dataset}/batches</c> with a CSV, JSON Lines (or an added format's) body stores it as the dataset's next
/// batch in a <see cref="DatasetStore"/>, or refuses it with RFC 7807 problem details and stores nothing.
/// </summary>
public static class IngestionEndpoints
{
    /// <summary>
    /// Maps the upload endpoint. It refuses unauthenticated requests (401) unless
    /// <see cref="IngestionOptions.AllowAnonymous"/> is set, checks each dataset's policy (403), the content
    /// type (415 for one not accepted: CSV and JSON Lines built in, others through <see cref="IngestionOptions.AcceptFormat"/>), the body size while it streams (413) and the row count (413), reads the
    /// body with the dataset's schema and stores it whole or not at all (422 with every issue; 409 for an
    /// <c>Idempotency-Key</c> reused with another body). Chain <c>.RequireAuthorization("policy")</c> on the
    /// result for the endpoint's own policy; HTTPS is the host's (<c>UseHttpsRedirection</c>, HSTS).
    /// </summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="prefix">The route prefix, e.g. <c>/ingest</c>.</param>
    /// <param name="store">Where batches go.</param>
    /// <param name="configure">The accepted datasets and the limits.</param>
    /// <returns>The route group, for <c>RequireAuthorization</c>, rate limiting and the like.</returns>
    /// <exception cref="OptionsValidationException">The options are invalid; every problem is listed.</exception>
    public static RouteGroupBuilder MapRetrainingIngestion(this IEndpointRouteBuilder endpoints, string prefix, DatasetStore store, Action<IngestionOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new IngestionOptions();
        configure(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(IngestionOptions), typeof(IngestionOptions), errors);
        }

        var group = endpoints.MapGroup(prefix);
        group.MapPost("/{dataset}/batches", (HttpContext http, string dataset) => UploadAsync(http, dataset, store, options))
            .DisableAntiforgery(); // an API for machines, authorized per request; no browser form posts here
        return group;
    }

    private static async Task<IResult> UploadAsync(HttpContext http, string dataset, DatasetStore store, IngestionOptions options)
    {
        if (!options.AllowAnonymous && http.User.Identity?.IsAuthenticated != true)
        {
            return Problem(StatusCodes.Status401Unauthorized, "Authentication required", "Uploads need an authenticated sender (the endpoint allows no anonymous uploads unless the host sets AllowAnonymous).");
        }

        if (!options.Datasets.TryGetValue(dataset, out var target))
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown dataset", $"This endpoint accepts no dataset named '{SafeText.Escape(dataset)}'.");
        }

        if (target.Policy is { } policy)
        {
            var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
            if (!(await authorization.AuthorizeAsync(http.User, policy).ConfigureAwait(false)).Succeeded)
            {
                return Problem(StatusCodes.Status403Forbidden, "Not allowed", $"'{SafeText.Escape(http.User.Identity?.Name)}' may not upload to '{dataset}' (policy '{policy}').");
            }
        }

        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type) || type.MediaType.Value is not { } mediaType || !options.Formats.TryGetValue(mediaType, out var format))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type", $"Batches are sent as {string.Join(", ", options.ContentTypes.Order(StringComparer.Ordinal))}; this request is '{SafeText.Escape(http.Request.ContentType ?? "none")}'.");
        }

        if (http.Request.ContentLength > options.MaxBodyBytes)
        {
            return TooLarge(options);
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxBodyBytes;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(options.RequestTimeout);
        var sender = http.User.Identity?.Name is { Length: > 0 } name ? name : "anonymous";
        var key = http.Request.Headers["Idempotency-Key"].FirstOrDefault();
        var separator = target.Schema.Separator is var c && c < 128 ? (byte)c : (byte)0;
        using var receiver = new UploadReceiver(separator == 0 ? format with { Split = BodySplit.Whole } : format, separator, options.PartRows, options.MaxBodyBytes, options.SpoolFolder ?? Path.GetTempPath());
        using var stopReceiving = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var receiving = receiver.ReceiveAsync(http.Request.Body, stopReceiving.Token);
        var spool = string.Empty;
        try
        {
            // Each part is read and checked while the next one arrives; a refused part ends the upload at once.
            var writer = store.BeginBatch(dataset, sender, key, target.CheckWith, options.SpoolFolder);
            await using (writer.ConfigureAwait(false))
            {
                await foreach (var part in receiver.Parts.ReadAllAsync(timeout.Token).ConfigureAwait(false))
                {
                    spool = part.Path;
                    var source = new UploadSource(format.Read(part.Path, target, part.LinesBefore, part.RowsBefore), part.Path, target, !format.ReadsSchema, sender, part.RowsBefore, writer.RowsRead, writer.Parts + 1, options.MaxRows);
                    await writer.AddPartAsync(source, timeout.Token).ConfigureAwait(false);
                    receiver.Delete(part);
                }

                var batch = await writer.CommitAsync($"HTTP upload to {dataset} by {SafeText.Escape(sender)} ({receiver.Bytes} bytes)", timeout.Token).ConfigureAwait(false);
                return Results.Created($"{http.Request.PathBase}{http.Request.Path}/{batch.Sequence}", new
                {
                    id = batch.Id,
                    sequence = batch.Sequence,
                    rows = batch.Rows,
                    quarantined = batch.Quarantined,
                    fingerprint = batch.Fingerprint,
                    receivedAt = batch.ReceivedAt,
                    parts = batch.Parts.Count,
                    warnings = batch.Warnings.Select(Issue),
                });
            }
        }
        catch (BodyTooLargeException)
        {
            return TooLarge(options);
        }
        catch (DatasetBatchRefusedException refused) when (refused.IsIdempotencyConflict)
        {
            return Problem(StatusCodes.Status409Conflict, "Idempotency key reused", refused.Message);
        }
        catch (DatasetBatchRefusedException refused)
        {
            var tooMany = refused.Issues.Any(i => i.Rule == UploadSource.TooManyRowsRule);
            return Problem(tooMany ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status422UnprocessableEntity, "Batch refused", refused.Message, refused.Issues);
        }
        catch (InvalidDataException invalid)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "Batch refused", UploadSource.Clean(invalid.Message, spool));
        }
        catch (BadHttpRequestException bad) when (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(options);
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            return Problem(StatusCodes.Status408RequestTimeout, "Upload timed out", $"The upload took longer than {options.RequestTimeout} (RequestTimeout); nothing was stored.");
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or BadHttpRequestException && (http.RequestAborted.IsCancellationRequested || ex is BadHttpRequestException))
        {
            // The sender dropped the connection or the body ended before its declared length: nothing was
            // stored, and a retry with the same Idempotency-Key is safe.
            return Problem(StatusCodes.Status400BadRequest, "Upload incomplete", "The body ended before it was complete (the connection dropped or it was shorter than its Content-Length); nothing was stored. Send it again, with the same Idempotency-Key.");
        }
        finally
        {
            await stopReceiving.CancelAsync().ConfigureAwait(false);
            await receiving.ConfigureAwait(false); // it never throws: its failure ends the parts
        }
    }

    private static IResult TooLarge(IngestionOptions options)
        => Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"A batch may be at most {options.MaxBodyBytes} bytes (MaxBodyBytes); nothing was stored.");

    private static object Issue(DataValidationIssue issue) => new { severity = issue.Severity.ToString(), rule = issue.Rule, column = issue.Column, row = issue.Row, message = issue.Message };

    private static IResult Problem(int status, string title, string detail, IReadOnlyList<DataValidationIssue>? issues = null)
        => Results.Problem(detail, statusCode: status, title: title, extensions: issues is null ? null : new Dictionary<string, object?> { ["issues"] = issues.Select(Issue).ToArray() });
}
