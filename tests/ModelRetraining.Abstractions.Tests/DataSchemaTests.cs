namespace ModelRetraining.Abstractions.Tests;

public class DataSchemaTests
{
    [Fact]
    public void Find_ExistingAndMissingColumns_IsOrdinal()
    {
        var schema = new DataSchema([new DataColumn("Age", DataColumnKind.Numeric), new DataColumn("Late", DataColumnKind.Boolean, IsDerived: true)], "Late");
        Assert.Equal(DataColumnKind.Numeric, schema.Find("Age")?.Kind);
        Assert.Null(schema.Find("age"));
        Assert.True(schema.Find("Late")?.IsDerived);
        Assert.Contains("label Late", schema.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void DataValidationReport_WithAnError_HasErrors()
    {
        var warning = new DataValidationIssue(ValidationSeverity.Warning, "r", "w");
        Assert.False(new DataValidationReport("v", "d", [warning]).HasErrors);
        Assert.True(new DataValidationReport("v", "d", [warning, new DataValidationIssue(ValidationSeverity.Error, "r", "e")]).HasErrors);
    }

    [Fact]
    public void PromotionDecision_Reasons_AreTheFailedExplanations()
    {
        var decision = new PromotionDecision(PromotionOutcome.Rejected, [new GateCriterionResult("a", "AUC", true, "fine"), new GateCriterionResult("b", "F1", false, "too low")]);
        Assert.Equal(["too low"], decision.Reasons);
    }
}
