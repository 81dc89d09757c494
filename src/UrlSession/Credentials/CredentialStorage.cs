using System.Collections.Concurrent;

namespace UrlSessions;

/// <summary>A thread-safe store of credentials by protection space, consulted for default challenge handling.</summary>
/// <remarks>This version keeps credentials in memory; disk persistence for default sessions arrives with the credentials issue.</remarks>
public sealed class CredentialStorage
{
    private readonly ConcurrentDictionary<ProtectionSpace, UrlCredential> _defaults = new();

    /// <summary>The process-wide storage that default configurations use.</summary>
    public static CredentialStorage Shared { get; } = new();

    /// <summary>The credential used for a protection space, or null.</summary>
    /// <param name="space">The protection space.</param>
    public UrlCredential? GetDefaultCredential(ProtectionSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        return _defaults.TryGetValue(space, out var credential) ? credential : null;
    }

    /// <summary>Sets the credential used for a protection space.</summary>
    /// <param name="credential">The credential.</param>
    /// <param name="space">The protection space.</param>
    public void SetDefaultCredential(UrlCredential credential, ProtectionSpace space)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(space);
        _defaults[space] = credential;
    }

    /// <summary>Removes the credential of a protection space.</summary>
    /// <param name="space">The protection space.</param>
    public void RemoveCredential(ProtectionSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        _defaults.TryRemove(space, out _);
    }

    /// <summary>Removes every credential.</summary>
    public void RemoveAll() => _defaults.Clear();
}
