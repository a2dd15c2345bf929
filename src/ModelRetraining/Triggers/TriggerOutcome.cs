namespace ModelRetraining;

/// <summary>What the coordinator did with a trigger.</summary>
public enum TriggerOutcome
{
    /// <summary>A run started for it.</summary>
    Started = 0,

    /// <summary>A run is under way; the trigger joins the single follow-up run after it.</summary>
    Coalesced = 1,

    /// <summary>The debounce window is open; the run starts when triggers stop arriving for that long.</summary>
    Debounced = 2,

    /// <summary>The last run started less than the cooldown ago; the trigger is recorded and waits for the cooldown to end.</summary>
    Deferred = 3,
}
