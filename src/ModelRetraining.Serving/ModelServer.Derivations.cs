using System.Text;

namespace ModelRetraining.Serving;

/// <content>The check that a version's derived features are computed at serving time as they were in training.</content>
public sealed partial class ModelServer<TInput, TOutput>
{
    // The version's schema.json marks the columns its training schema derived; every one of them (the label
    // excepted) must be computed here, or the model would see a feature training never produced.
    private async Task CheckDerivationsAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        if (!version.Attachments.Any(a => a.Name == AttachmentNames.Schema))
        {
            return;
        }

        var stored = await _registry.ReadAttachmentAsync(version, AttachmentNames.Schema, cancellationToken).ConfigureAwait(false);
        InferredSchema schema;
        try
        {
            schema = InferredSchema.FromJson(Encoding.UTF8.GetString(stored.Content.Span));
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new InvalidDataException($"The stored schema ({AttachmentNames.Schema}) of {version} cannot be read: {ex.Message}", ex);
        }

        var derived = schema.Columns.Where(c => c.IsDerived && c.Name != schema.LabelColumn).Select(c => c.Name).ToArray();
        if (derived.Length == 0)
        {
            return;
        }

        if (Derivations is null)
        {
            Log.DerivedByCaller(_logger, _modelName, version.Version, string.Join(", ", derived));
            return;
        }

        var missing = derived.Except(Derivations.Columns, StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidOperationException($"{version} was trained on derived column{(missing.Length == 1 ? string.Empty : "s")} {string.Join(", ", missing.Select(m => $"'{SafeText.Escape(m)}'"))} that this server's {nameof(Derivations)} do not compute (they compute {(Derivations.Columns.Count == 0 ? "none" : string.Join(", ", Derivations.Columns.Select(c => $"'{SafeText.Escape(c)}'")))}); serve it with the derivations of the schema it was trained with.");
        }
    }
}
