using Google.Protobuf;
using ModelRetraining.Onnx;

namespace ModelRetraining.Onnx.Tests;

/// <summary>
/// A model whose input has a dynamic feature dimension (<c>[batch, features]</c>, both symbolic) loads, but
/// its input does not fit one column of the data: the check says so, naming the input and its shape.
/// </summary>
public class DynamicShapeModelTests
{
    // A minimal ONNX model written field by field (onnx.proto numbers): y = Identity(x), x float [batch, features].
    private static byte[] IdentityWithDynamicShape()
    {
        static byte[] Message(Action<CodedOutputStream> write)
        {
            using var buffer = new MemoryStream();
            var output = new CodedOutputStream(buffer);
            write(output);
            output.Flush();
            return buffer.ToArray();
        }

        static void Bytes(CodedOutputStream o, int field, byte[] value)
        {
            o.WriteTag(field, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(value));
        }

        static byte[] ValueInfo(string name) => Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString(name);
            Bytes(o, 2, Message(type => Bytes(type, 1, Message(tensor => // TypeProto.tensor_type
            {
                tensor.WriteTag(1, WireFormat.WireType.Varint);
                tensor.WriteInt32(1); // FLOAT
                Bytes(tensor, 2, Message(shape => // TensorShapeProto
                {
                    foreach (var symbol in new[] { "batch", "features" })
                    {
                        Bytes(shape, 1, Message(dim =>
                        {
                            dim.WriteTag(2, WireFormat.WireType.LengthDelimited);
                            dim.WriteString(symbol);
                        }));
                    }
                }));
            }))));
        });

        var node = Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited);
            o.WriteString("x");
            o.WriteTag(2, WireFormat.WireType.LengthDelimited);
            o.WriteString("y");
            o.WriteTag(4, WireFormat.WireType.LengthDelimited);
            o.WriteString("Identity");
        });
        var graph = Message(o =>
        {
            Bytes(o, 1, node);
            o.WriteTag(2, WireFormat.WireType.LengthDelimited);
            o.WriteString("dynamic");
            Bytes(o, 11, ValueInfo("x"));
            Bytes(o, 12, ValueInfo("y"));
        });
        return Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteInt64(8); // ir_version
            Bytes(o, 7, graph);
            Bytes(o, 8, Message(opset =>
            {
                opset.WriteTag(2, WireFormat.WireType.Varint);
                opset.WriteInt64(13);
            }));
        });
    }

    [Fact]
    public void ModelWithADynamicFeatureDimension_IsRefusedNamingTheInputAndItsShape()
    {
        var options = new OnnxModelOptions();
        options.ExecutionProviders.Clear();
        options.ExecutionProviders.Add(OnnxExecutionProvider.Cpu);
        using var model = OnnxModel.Load(new ModelArtifact("onnx", "dynamic.onnx", IdentityWithDynamicShape()), options);

        var problems = model.CheckInputs(new DataSchema([new DataColumn("x", DataColumnKind.Numeric)]));

        var problem = Assert.Single(problems);
        Assert.Contains("input 'x' has shape [batch, features]; one value per row ([batch, 1]) is expected", problem, StringComparison.Ordinal);
        Assert.Equal("y", model.ScoreOutput);
    }
}
