namespace ModelRetraining.Serving;

/// <summary>What the serving meter's observable instruments read from a server at each collection: its rollout's two arms, figures of the current step.</summary>
internal interface IRolloutArms
{
    string ModelName { get; }

    IEnumerable<(string Arm, ArmStatistics Statistics)> CurrentArms();
}
