using static TorchSharp.PInvoke.NativeMethods;

namespace TorchSharp;

/// <summary>
/// Reading a one-element tensor as a .NET value (TorchSharp's <c>TensorExtensionMethods.To*</c>).
/// Any dtype converts, with c10's checked conversions: a value that does not fit the target type
/// (e.g. 300 as a byte) raises libtorch's error, as does a tensor with other than one element.
/// </summary>
public static partial class TensorExtensionMethods
{
    public static float ToSingle(this torch.Tensor value) => (float)ReadDouble(value);
    public static double ToDouble(this torch.Tensor value) => ReadDouble(value);
    public static long ToInt64(this torch.Tensor value) => ReadInteger(value, 1);
    public static int ToInt32(this torch.Tensor value) => (int)ReadInteger(value, 3);
    public static short ToInt16(this torch.Tensor value) => (short)ReadInteger(value, 4);
    public static sbyte ToSByte(this torch.Tensor value) => (sbyte)ReadInteger(value, 5);
    public static byte ToByte(this torch.Tensor value) => (byte)ReadInteger(value, 6);
    public static bool ToBoolean(this torch.Tensor value) => ReadInteger(value, 2) != 0;

    private static double ReadDouble(torch.Tensor value) => Read(value, 0).d;
    private static long ReadInteger(torch.Tensor value, int kind) => Read(value, kind).i;

    // kind: the shim's item kind (0 double, 1 int64, 2 bool, 3 int32, 4 int16, 5 int8, 6 uint8).
    private static unsafe (double d, long i) Read(torch.Tensor value, int kind)
    {
        double d = 0;
        long i = 0;
        Check(tl_tensor_item(value.Native, kind, &d, &i));
        return (d, i);
    }
}
