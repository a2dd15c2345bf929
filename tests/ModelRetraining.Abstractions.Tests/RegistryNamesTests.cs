namespace ModelRetraining.Abstractions.Tests;

public class RegistryNamesTests
{
    [Theory]
    [InlineData("churn")]
    [InlineData("flight-delays")]
    [InlineData("model_v2.1")]
    [InlineData("A")]
    public void IsValid_OrdinaryNames_AreAccepted(string name) => Assert.True(RegistryNames.IsValid(name));

    [Theory]
    [InlineData("../x")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData(".hidden")]
    [InlineData("-dash")]
    [InlineData("a..b")]
    [InlineData("")]
    [InlineData("tab\tname")]
    [InlineData(null)]
    public void IsValid_PathOrControlCharacters_AreRefused(string? name) => Assert.False(RegistryNames.IsValid(name));

    [Fact]
    public void IsValid_TooLong_IsRefused() => Assert.False(RegistryNames.IsValid(new string('a', RegistryNames.MaxLength + 1)));

    [Fact]
    public void ThrowIfInvalid_BadName_NamesTheValueAndTheRule()
    {
        var error = Assert.Throws<ArgumentException>(() => RegistryNames.ThrowIfInvalid("../x", "model name", "name"));
        Assert.Contains("'../x'", error.Message, StringComparison.Ordinal);
        Assert.Contains("model name", error.Message, StringComparison.Ordinal);
        Assert.Equal("name", error.ParamName);
    }
}
