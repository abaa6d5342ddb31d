using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PolicyAction.Tests.Support;

/// <summary>
/// One place in the tool's source that builds a message for the operator: an exception, a reporter failure or
/// warning, a configuration problem, a refusal. <see cref="Texts"/> holds, for each way the message can read
/// (each branch of a conditional, each text-bearing argument), the fixed text a reader will see verbatim:
/// the whole literal, or the longest literal run between interpolation holes.
/// </summary>
internal sealed record MessageSite(string File, int Line, string Kind, string Code, IReadOnlyList<string> Texts)
{
    /// <summary>Where the site is in its file, to tell a wrapper (an exception around a ConfigProblem) from the message itself.</summary>
    public Microsoft.CodeAnalysis.Text.TextSpan Span { get; init; }

    /// <summary>The site's code on one line, the key of the allow-list.</summary>
    public string Key => $"{File}: {Code}";

    public override string ToString() => $"{File}:{Line} ({Kind}) {Code}";
}

/// <summary>
/// Finds the message sites in <c>src/PolicyAction</c> with Roslyn's parser (syntax only): every kind of string
/// (regular, verbatim, interpolated, raw) and messages concatenated across lines come out the same way.
/// </summary>
internal static class SourceMessages
{
    /// <summary>Fixed text shorter than this, between holes, is too common to prove anything.</summary>
    public const int MinimumPiece = 12;

    private static readonly HashSet<string> ExceptionTypes =
        ["UsageException", "StateFileException", "ConfigurationException", "ForgeException", "PolicyActionException"];

    /// <summary>Other types whose construction carries an operator-visible message, with the kind reported.</summary>
    private static readonly Dictionary<string, string> MessageTypes = new(StringComparer.Ordinal)
    {
        ["ConfigProblem"] = "configuration problem",

        // The shared branch refusing a reservation: the refusal is the block message. (IssueClaim's refusals are internal.)
        ["LogRefusal"] = "reservation refusal",
    };

    /// <summary>Types that carry a message only on failure: a construction without any text is the success case.</summary>
    private static readonly Dictionary<string, string> OptionalMessageTypes = new(StringComparer.Ordinal)
    {
        ["ProcessOutcome"] = "action detail",
    };

    /// <summary>Constructions that are a refusal only when their first argument is <c>false</c>.</summary>
    private static readonly Dictionary<string, string> RefusalTypes = new(StringComparer.Ordinal)
    {
        ["TriggerVerdict"] = "trigger refusal",
        ["LogVerification"] = "verify-log finding",
    };

    /// <summary>Calls whose arguments are the message, by method name, with the kind reported.</summary>
    private static readonly Dictionary<string, string> MessageCalls = new(StringComparer.Ordinal)
    {
        ["Failure"] = "reporter failure",
        ["Warning"] = "reporter warning",
    };

    /// <summary>Calls that carry a message only in one file (the names are too common elsewhere).</summary>
    private static readonly (string File, string Method, string Kind)[] FileCalls =
    [
        ("Configuration/ConfigLoader.cs", "Report", "configuration problem"),
        ("Configuration/ConfigLoader.cs", "Problem", "configuration problem"),
        ("Configuration/ConfigProblems.cs", "Report", "configuration problem"),
        ("Configuration/GatesSection.cs", "Report", "configuration problem"),
        ("Configuration/LevelsSection.cs", "Report", "configuration problem"),
        ("Configuration/AlertsSection.cs", "Report", "configuration problem"),
        ("Configuration/AlertsSection.cs", "Invalid", "configuration problem"),
        ("Configuration/YamlLimits.cs", "Problem", "configuration problem"),
        ("State/AuditLogVerifier.cs", "Break", "verify-log finding"),
        ("State/AuditLogVerifier.cs", "Broken", "verify-log finding"),
        ("State/AuditLogVerifier.cs", "_warnings.Add", "verify-log warning"),
        ("Orchestrator/Providers/GitHubSignalProvider.cs", "Unknown", "signal unknown"),

    ];

    /// <summary>Methods that return an explanation which ends up in a message (an exception, a warning, an audit detail).</summary>
    private static readonly (string File, string Method)[] ExplanationMethods =
    [
        ("Processes/ExecutableResolver.cs", "Resolve"),
        ("State/WorkspacePaths.cs", "CheckRelative"),
        ("Responses/UndoJournal.cs", "Capture"),
        ("Forge/BranchName.cs", "Problem"),
        ("State/AuditLog.cs", "Torn"),
        ("Gates/InterruptedResponses.cs", "Describe"),
        ("Gates/InterruptedResponses.cs", "Advice"),
        ("Gates/IGate.cs", "BlockMessage"),
        ("Gates/SafetyGates.cs", "BlockMessage"),
        ("Configuration/ConfigurationException.cs", "Format"),
        ("Orchestrator/Providers/GitHubSignalProvider.cs", "Refused"),
    ];

    /// <summary>Dictionaries of message texts: every value is a message (ConfigLoader's type expectations per key).</summary>
    private static readonly (string File, string Field)[] MessageTables =
    [
        ("Configuration/ConfigLoader.cs", "Expectations"),
    ];

    /// <summary>Locals that hold a message or an action's detail before it is printed or logged (file, method, local).</summary>
    private static readonly (string File, string Method, string Local)[] MessageLocals =
    [
        ("Responses/ResponseService.cs", "*", "message"),
        ("Responses/ActionExecutor.cs", "*", "message"),
        ("Responses/ActionExecutor.cs", "*", "detail"),
        ("Responses/ActionExecutor.cs", "*", "strays"),
        ("ActionHost/AlertStage.cs", "RunAsync", "message"),
        ("State/AuditLog.cs", "*", "warning"),
        ("Configuration/ConfigLoader.cs", "BinderProblem", "expectation"),
    ];

    public static string SourceRoot => Path.Combine(RepositoryRoot.Path, "src", "PolicyAction");

    public static IReadOnlyList<MessageSite> Find()
    {
        var sites = new List<MessageSite>();
        foreach (var path in Directory.EnumerateFiles(SourceRoot, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(SourceRoot, path).Replace('\\', '/');
            if (relative.StartsWith("obj/", StringComparison.Ordinal) || relative.StartsWith("bin/", StringComparison.Ordinal))
            {
                continue;
            }

            var root = CSharpSyntaxTree.ParseText(File.ReadAllText(path), path: relative).GetRoot();
            var found = SitesIn(relative, root).ToList();

            // A site without text of its own that holds another site (an exception around a ConfigProblem) is only a wrapper.
            sites.AddRange(found.Where(site => site.Texts.Count > 0 || !found.Any(inner => inner != site && site.Span.Contains(inner.Span))));
        }

        return sites;
    }

    private static IEnumerable<MessageSite> SitesIn(string file, SyntaxNode root)
    {
        foreach (var node in root.DescendantNodes())
        {
            switch (node)
            {
                case ObjectCreationExpressionSyntax creation when TypeName(creation.Type) is { } type:
                    if (ExceptionTypes.Contains(type))
                    {
                        yield return Site(file, creation, "exception", Arguments(creation.ArgumentList));
                    }
                    else if (MessageTypes.TryGetValue(type, out var kind))
                    {
                        yield return Site(file, creation, kind, Arguments(creation.ArgumentList));
                    }
                    else if (RefusalTypes.TryGetValue(type, out var refusal) && FirstArgumentIsFalse(creation.ArgumentList))
                    {
                        yield return Site(file, creation, refusal, Arguments(creation.ArgumentList));
                    }
                    else if (OptionalMessageTypes.TryGetValue(type, out var optional) && Site(file, creation, optional, Arguments(creation.ArgumentList)) is { Texts.Count: > 0 } withText)
                    {
                        yield return withText;
                    }

                    break;

                // new(...) where the enclosing method returns one of the exceptions (ForgeException.From, AuditLog.Corrupt).
                case ImplicitObjectCreationExpressionSyntax implicitCreation
                    when EnclosingReturnType(implicitCreation) is { } returned && ExceptionTypes.Contains(returned):
                    yield return Site(file, implicitCreation, "exception", Arguments(implicitCreation.ArgumentList));
                    break;

                case InvocationExpressionSyntax invocation:
                    var name = InvokedName(invocation.Expression);
                    if (name is not null && MessageCalls.TryGetValue(name, out var callKind))
                    {
                        yield return Site(file, invocation, callKind, Arguments(invocation.ArgumentList));
                    }
                    else if (FileCalls.FirstOrDefault(c => c.File == file && (c.Method == name || c.Method == invocation.Expression.ToString())) is { Kind: { } fileKind })
                    {
                        yield return Site(file, invocation, fileKind, Arguments(invocation.ArgumentList));
                    }

                    break;

                case BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax when ExplanationMethods.Any(m => m.File == file && m.Method == MethodName(node)):
                    // A return of null, or of a tuple with null and no text, is the "no problem" answer, not a message.
                    foreach (var returned in Returned(node).Where(r => !IsNoProblem(r)))
                    {
                        yield return Site(file, returned, "explanation", Alternatives(returned));
                    }

                    break;

                case VariableDeclaratorSyntax { Initializer.Value: InitializerExpressionSyntax or ImplicitObjectCreationExpressionSyntax or ObjectCreationExpressionSyntax } table
                    when MessageTables.Any(t => t.File == file && t.Field == table.Identifier.ValueText):
                    foreach (var entry in table.DescendantNodes().OfType<AssignmentExpressionSyntax>())
                    {
                        yield return Site(file, entry.Right, "message table", Alternatives(entry.Right));
                    }

                    break;

                case VariableDeclaratorSyntax { Initializer.Value: { } value } local
                    when IsMessageLocal(file, local, local.Identifier.ValueText) && !IsNoProblem(value):
                    yield return Site(file, local, $"local '{local.Identifier.ValueText}'", Alternatives(value));
                    break;

                case AssignmentExpressionSyntax { Left: IdentifierNameSyntax target } assignment
                    when IsMessageLocal(file, assignment, target.Identifier.ValueText) && !IsNoProblem(assignment.Right):
                    yield return Site(file, assignment, $"local '{target.Identifier.ValueText}'", Alternatives(assignment.Right));
                    break;
            }
        }
    }

    private static bool IsNoProblem(ExpressionSyntax returned) =>
        returned.IsKind(SyntaxKind.NullLiteralExpression)
        || (returned is TupleExpressionSyntax tuple && tuple.Arguments.Any(a => a.Expression.IsKind(SyntaxKind.NullLiteralExpression)) && !Alternatives(tuple).Any());

    private static bool IsMessageLocal(string file, SyntaxNode node, string local) =>
        MessageLocals.Any(m => m.File == file && m.Local == local
            && (m.Method == "*" || node.Ancestors().Any(a => a is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax && MethodName(a) == m.Method)));

    private static MessageSite Site(string file, SyntaxNode node, string kind, IEnumerable<List<Segment>> alternatives)
    {
        var texts = alternatives.Select(Required).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        var line = node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
        var code = string.Join(' ', node.ToString().Split((char[])['\r', '\n', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return new MessageSite(file, line, kind, code, texts) { Span = node.Span };
    }

    /// <summary>The text the runbook must contain for one reading of a message, or null if it has too little fixed text.</summary>
    private static string? Required(List<Segment> segments)
    {
        if (segments.Count == 1 && segments[0].Text is { Length: > 0 } whole)
        {
            return whole;
        }

        var longest = segments.Where(s => s.Text is not null).Select(s => s.Text!).MaxBy(t => t.Length);
        return longest is { Length: >= MinimumPiece } ? longest : null;
    }

    /// <summary>Each argument's readings (a message argument, a title, a field path), in order.</summary>
    private static IEnumerable<List<Segment>> Arguments(BaseArgumentListSyntax? arguments) =>
        arguments?.Arguments.SelectMany(a => Alternatives(a.Expression)) ?? [];

    /// <summary>The readings of a string-valued expression: each branch of ?:, ??, switch arms and tuple elements.</summary>
    private static IEnumerable<List<Segment>> Alternatives(ExpressionSyntax expression)
    {
        switch (expression)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return Alternatives(parenthesized.Expression);
            case ConditionalExpressionSyntax conditional:
                return Alternatives(conditional.WhenTrue).Concat(Alternatives(conditional.WhenFalse));
            case BinaryExpressionSyntax coalesce when coalesce.IsKind(SyntaxKind.CoalesceExpression):
                return Alternatives(coalesce.Left).Concat(Alternatives(coalesce.Right));
            case SwitchExpressionSyntax switchExpression:
                return switchExpression.Arms.SelectMany(arm => Alternatives(arm.Expression));
            case TupleExpressionSyntax tuple:
                return tuple.Arguments.SelectMany(a => Alternatives(a.Expression));
            case ThrowExpressionSyntax:
                return []; // a site of its own
            case CollectionExpressionSyntax collection:
                return collection.Elements.OfType<ExpressionElementSyntax>().SelectMany(e => Alternatives(e.Expression));
            default:
                var segments = Merge(Segments(expression));
                return segments.Any(s => s.Text is not null) ? [segments] : [];
        }
    }

    /// <summary>A piece of a message: fixed text, or a hole (Text null) where a value goes.</summary>
    private sealed record Segment(string? Text);

    private static IEnumerable<Segment> Segments(ExpressionSyntax expression)
    {
        switch (expression)
        {
            case LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.StringLiteralExpression):
                // ValueText is the string's value: escapes decoded, verbatim and raw strings alike.
                yield return new Segment(literal.Token.ValueText);
                break;
            case InterpolatedStringExpressionSyntax interpolated:
                foreach (var content in interpolated.Contents)
                {
                    yield return content is InterpolatedStringTextSyntax text ? new Segment(text.TextToken.ValueText) : new Segment(null);
                }

                break;
            case BinaryExpressionSyntax add when add.IsKind(SyntaxKind.AddExpression):
                foreach (var segment in Segments(add.Left).Concat(Segments(add.Right)))
                {
                    yield return segment;
                }

                break;
            case ParenthesizedExpressionSyntax parenthesized:
                foreach (var segment in Segments(parenthesized.Expression))
                {
                    yield return segment;
                }

                break;
            default:
                yield return new Segment(null);
                break;
        }
    }

    /// <summary>Adjacent fixed texts (a literal continued by + on the next line) read as one.</summary>
    private static List<Segment> Merge(IEnumerable<Segment> segments)
    {
        var merged = new List<Segment>();
        foreach (var segment in segments)
        {
            if (merged.Count > 0 && merged[^1].Text is { } previous && segment.Text is { } next)
            {
                merged[^1] = new Segment(previous + next);
            }
            else if (!(segment.Text is null && merged.Count > 0 && merged[^1].Text is null))
            {
                merged.Add(segment);
            }
        }

        return merged;
    }

    private static IEnumerable<ExpressionSyntax> Returned(SyntaxNode method)
    {
        var body = method switch
        {
            BaseMethodDeclarationSyntax m => (SyntaxNode?)m.Body ?? m.ExpressionBody,
            LocalFunctionStatementSyntax f => (SyntaxNode?)f.Body ?? f.ExpressionBody,
            _ => null,
        };
        if (body is ArrowExpressionClauseSyntax arrow)
        {
            return [arrow.Expression];
        }

        return body?.DescendantNodes().OfType<ReturnStatementSyntax>().Select(r => r.Expression).OfType<ExpressionSyntax>() ?? [];
    }

    private static string? MethodName(SyntaxNode node) => node switch
    {
        MethodDeclarationSyntax method => method.Identifier.ValueText,
        LocalFunctionStatementSyntax local => local.Identifier.ValueText,
        _ => null,
    };

    private static string? TypeName(TypeSyntax type) => type switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        QualifiedNameSyntax qualified => TypeName(qualified.Right),
        GenericNameSyntax generic => generic.Identifier.ValueText,
        _ => null,
    };

    private static string? InvokedName(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        GenericNameSyntax generic => generic.Identifier.ValueText,
        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        _ => null,
    };

    private static bool FirstArgumentIsFalse(ArgumentListSyntax? arguments) =>
        arguments?.Arguments.FirstOrDefault()?.Expression.IsKind(SyntaxKind.FalseLiteralExpression) ?? false;

    private static string? EnclosingReturnType(SyntaxNode node)
    {
        foreach (var ancestor in node.Ancestors())
        {
            switch (ancestor)
            {
                case MethodDeclarationSyntax method:
                    return TypeName(method.ReturnType);
                case LocalFunctionStatementSyntax local:
                    return TypeName(local.ReturnType);
                case LambdaExpressionSyntax or AnonymousMethodExpressionSyntax:
                    return null;
            }
        }

        return null;
    }
}
