namespace TorchSharp;

/// <summary>Device kinds; the numbering is libtorch's <c>c10::DeviceType</c> (as in TorchSharp).</summary>
public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
    MKLDNN = 2,
    OPENGL = 3,
    OPENCL = 4,
    IDEEP = 5,
    HIP = 6,
    FPGA = 7,
    MSNPU = 8,
    XLA = 9,
    MPS = 13,
    META = 14,
}

public static partial class torch
{
    /// <summary>A device: a kind and, for accelerators, an index (-1 = the current one).</summary>
    public class Device
    {
        public DeviceType type { get; }
        public int index { get; }

        public Device(DeviceType deviceType, int index = -1)
        {
            type = deviceType;
            this.index = index;
        }

        public Device(string description)
        {
            var parts = description.Split(':');
            if (parts.Length > 2 || !Enum.TryParse(parts[0], ignoreCase: true, out DeviceType parsed))
                throw new ArgumentException($"Invalid device string: '{description}'", nameof(description));
            type = parsed;
            if (parts.Length == 2 && !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
                throw new ArgumentException($"Invalid device string: '{description}' (the index after ':' must be a non-negative integer)", nameof(description));
            index = parts.Length == 2 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : -1;
        }

        public Device(string deviceType, int index = -1) : this(deviceType) => this.index = index;

        public Device(int index) : this(DeviceType.CUDA, index) { }

        public static implicit operator Device(string description) => new(description);

        /// <inheritdoc/>
        public override string ToString() =>
            type.ToString().ToLowerInvariant() + (index >= 0 ? ":" + index : "");

        /// <inheritdoc/>
        public override bool Equals(object? obj) => obj is Device other && other.type == type && other.index == index;

        /// <inheritdoc/>
        public override int GetHashCode() => HashCode.Combine(type, index);
    }

    public static readonly Device CPU = new(DeviceType.CPU);
    public static readonly Device META = new(DeviceType.META);
    public static Device CUDA => new(DeviceType.CUDA, 0);

    public static Device device(string description) => new(description);
    public static Device device(string deviceType, int index) => new(deviceType, index);
    public static Device device(DeviceType deviceType, int index = -1) => new(deviceType, index);
    public static Device device(int index) => new(index);

    public static partial class cuda
    {
        /// <summary>False: this binding is built against a CPU libtorch.</summary>
        public static bool is_available() => false;
        public static int device_count() => 0;
    }

    public static bool cuda_is_available() => cuda.is_available();
}
