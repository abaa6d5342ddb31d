using YamlDotNet.Serialization;

namespace PolicyAction.Configuration;

// The raw YAML shape, bound by YamlDotNet's source-generated (reflection-free) deserializer.
// Everything is nullable so that validation, not the binder, decides what is required.

[YamlSerializable]
internal sealed class ConfigDocument
{
    [YamlMember(Alias = "version")]
    public int? Version { get; set; }

    [YamlMember(Alias = "gates")]
    public GatesDocument? Gates { get; set; }

    [YamlMember(Alias = "levels")]
    public Dictionary<string, List<ActionDocument>?>? Levels { get; set; }
}

[YamlSerializable]
internal sealed class GatesDocument
{
    [YamlMember(Alias = "max_responses_per_24h")]
    public int? MaxResponsesPer24Hours { get; set; }

    [YamlMember(Alias = "max_manual_unlocks_per_day")]
    public int? MaxManualUnlocksPerDay { get; set; }
}

[YamlSerializable]
internal sealed class ActionDocument
{
    [YamlMember(Alias = "id")]
    public string? Id { get; set; }

    [YamlMember(Alias = "description")]
    public string? Description { get; set; }

    [YamlMember(Alias = "run")]
    public List<string>? Run { get; set; }

    [YamlMember(Alias = "timeout_seconds")]
    public int? TimeoutSeconds { get; set; }

    [YamlMember(Alias = "continue_on_error")]
    public bool? ContinueOnError { get; set; }

    [YamlMember(Alias = "reversible")]
    public ReversibleDocument? Reversible { get; set; }

    [YamlMember(Alias = "undo_instruction")]
    public string? UndoInstruction { get; set; }
}

[YamlSerializable]
internal sealed class ReversibleDocument
{
    [YamlMember(Alias = "paths")]
    public List<string>? Paths { get; set; }
}

[YamlStaticContext]
[YamlSerializable(typeof(ConfigDocument))]
[YamlSerializable(typeof(GatesDocument))]
[YamlSerializable(typeof(ActionDocument))]
[YamlSerializable(typeof(ReversibleDocument))]
public sealed partial class ConfigYamlContext : StaticContext
{
}
