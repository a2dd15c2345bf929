using Amazon.Runtime;
using Amazon.S3;

namespace ModelRetraining.Storage.S3.Tests;

/// <summary>The S3-compatible server eng/test.sh starts (moto_server, MR_S3): a client, and a fresh bucket per test.</summary>
internal static class S3Server
{
    public static AmazonS3Client Client()
    {
        var endpoint = Environment.GetEnvironmentVariable("MR_S3");
        Assert.False(string.IsNullOrEmpty(endpoint), "MR_S3 is not set: run the tests with eng/test.sh, which starts moto_server on 127.0.0.1 (the S3 store is tested against a real S3 server, never a fake).");
        return new AmazonS3Client(new BasicAWSCredentials("test", "test"), new AmazonS3Config { ServiceURL = endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
    }

    public static async Task<string> NewBucketAsync(IAmazonS3 client)
    {
        var bucket = $"mr-{Guid.NewGuid():N}"; // 35 characters
        await client.PutBucketAsync(bucket);
        return bucket;
    }
}
