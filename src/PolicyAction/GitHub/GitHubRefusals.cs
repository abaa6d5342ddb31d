using System.Net;
using Octokit;

namespace PolicyAction.GitHub;

/// <summary>What a 409 or 422 to a write means, by GitHub's message.</summary>
internal enum WriteRefusal
{
    /// <summary>Another writer came first ("does not match", "is at … but expected …", "Update is not a fast forward"): read again and retry.</summary>
    LostRace,

    /// <summary>A branch protection rule or a ruleset refuses the write: retrying cannot help.</summary>
    BranchProtected,

    /// <summary>"Reference already exists": the branch is there, to be reused.</summary>
    AlreadyExists,

    /// <summary>"Reference update failed": GitHub could not move the ref this time; worth a few more tries.</summary>
    ReferenceUpdateFailed,

    /// <summary>Anything else: reported as GitHub said it.</summary>
    Other,
}

/// <summary>Classifies GitHub's refusals of writes to branches and refs, by status and message.</summary>
internal static class GitHubRefusals
{
    private static readonly string[] ProtectionMessages =
    [
        "Protected branch update failed",
        "Repository rule violations found",
        "Changes must be made through a pull request",
        "protected branch hook declined",
    ];

    private static readonly string[] LostRaceMessages = ["does not match", "but expected", "Update is not a fast forward", "wasn't supplied"];

    public static WriteRefusal Classify(ApiException exception)
    {
        if (exception.StatusCode is not (HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity))
        {
            return WriteRefusal.Other;
        }

        var message = exception.ApiError?.Message ?? exception.Message;
        if (ProtectionMessages.Any(m => message.Contains(m, StringComparison.OrdinalIgnoreCase)))
        {
            return WriteRefusal.BranchProtected;
        }

        if (message.Contains("Reference already exists", StringComparison.OrdinalIgnoreCase))
        {
            return WriteRefusal.AlreadyExists;
        }

        if (message.Contains("Reference update failed", StringComparison.OrdinalIgnoreCase))
        {
            return WriteRefusal.ReferenceUpdateFailed;
        }

        return LostRaceMessages.Any(m => message.Contains(m, StringComparison.Ordinal)) ? WriteRefusal.LostRace : WriteRefusal.Other;
    }

    /// <summary>GitHub's message on one line (ruleset refusals come as several paragraphs).</summary>
    public static string OneLine(ApiException exception) =>
        string.Join(' ', (exception.ApiError?.Message ?? exception.Message).Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
