namespace ModelRetraining;

/// <summary>Profiles each data set of a run once, whichever stage asks first (a validator, the registration).</summary>
internal static class ProfileCache
{
    public static DataProfile Get(RetrainingContext context, DatasetSnapshot data, CancellationToken cancellationToken)
        => (DataProfile)context.Properties.GetOrAdd($"modelretraining.profile:{data.Fingerprint}", _ => DataProfile.Create(data.Data, cancellationToken))!;
}
