namespace ModelRetraining.Testing.Conformance;

/// <summary>
/// Creates the backend under test for the conformance suites: an empty registry per call, a way to damage
/// an artifact behind its back, and its run journal and approval store (by default, the registry's own).
/// </summary>
public abstract class RegistryFixture
{
    /// <summary>Creates a new, empty registry for one test.</summary>
    /// <returns>The registry.</returns>
    public abstract IModelRegistry CreateRegistry();

    /// <summary>Changes the stored bytes of a version's artifact behind the registry's back.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="version">The version whose artifact to damage.</param>
    /// <returns>A task that completes when the bytes are changed.</returns>
    public abstract ValueTask CorruptArtifactAsync(IModelRegistry registry, ModelVersion version);

    /// <summary>Gives the run journal kept with a registry the fixture created.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The journal.</returns>
    public virtual IRunJournal JournalOf(IModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.GetService<IRunJournal>() ?? throw new InvalidOperationException($"{registry.GetType().Name} keeps no run journal: override {nameof(JournalOf)} in the fixture.");
    }

    /// <summary>Gives the store of run requests (cancel, resume) kept with a registry the fixture created.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The store.</returns>
    public virtual IRunRequestStore RequestsOf(IModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.GetService<IRunRequestStore>() ?? throw new InvalidOperationException($"{registry.GetType().Name} keeps no run requests: override {nameof(RequestsOf)} in the fixture.");
    }

    /// <summary>Gives the approval store kept with a registry the fixture created.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The store.</returns>
    public virtual IApprovalStore ApprovalsOf(IModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.GetService<IApprovalStore>() ?? throw new InvalidOperationException($"{registry.GetType().Name} keeps no approval requests: override {nameof(ApprovalsOf)} in the fixture.");
    }
}
