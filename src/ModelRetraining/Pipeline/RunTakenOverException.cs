namespace ModelRetraining;

/// <summary>A later attempt claimed the run while this one was still going: this attempt stops and writes nothing more.</summary>
internal sealed class RunTakenOverException(string message) : Exception(message);
