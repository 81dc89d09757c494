using System.Collections;

namespace UrlSessions;

/// <summary>
/// An immutable, ordered list of HTTP header fields with case-insensitive names; a name may repeat.
/// Every change returns a new list, so a list can be shared between requests and threads.
/// </summary>
public sealed class HeaderList : IEnumerable<KeyValuePair<string, string>>
{
    private readonly KeyValuePair<string, string>[] _fields;

    private HeaderList(KeyValuePair<string, string>[] fields) => _fields = fields;

    /// <summary>The list with no fields.</summary>
    public static HeaderList Empty { get; } = new([]);

    /// <summary>How many fields the list holds (a repeated name counts once per field).</summary>
    public int Count => _fields.Length;

    /// <summary>The values of every field with this name joined with ", ", or null when there is none.</summary>
    /// <param name="name">The header name, compared case-insensitively.</param>
    public string? this[string name]
    {
        get
        {
            // The common case (at most one field of that name) allocates nothing.
            var first = IndexOf(name);
            if (first < 0)
            {
                return null;
            }

            for (var i = first + 1; i < _fields.Length; i++)
            {
                if (string.Equals(_fields[i].Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return string.Join(", ", GetValues(name));
                }
            }

            return _fields[first].Value;
        }
    }

    /// <summary>Creates a list from fields, keeping their order.</summary>
    /// <param name="fields">The fields; names must not be empty.</param>
    public static HeaderList From(IEnumerable<KeyValuePair<string, string>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return Wrap(fields.ToArray());
    }

    /// <summary>Creates a list that owns <paramref name="array"/> (no copy): the caller must not keep or change it.</summary>
    internal static HeaderList Wrap(KeyValuePair<string, string>[] array)
    {
        foreach (var field in array)
        {
            ValidateName(field.Key);
            ArgumentNullException.ThrowIfNull(field.Value, nameof(array));
        }

        return array.Length == 0 ? Empty : new HeaderList(array);
    }

    /// <summary>The fields in order, for internal loops that must not allocate an enumerator.</summary>
    internal ReadOnlySpan<KeyValuePair<string, string>> Fields => _fields;

    /// <summary>The values of every field with this name, in order; empty when there is none.</summary>
    /// <param name="name">The header name, compared case-insensitively.</param>
    public IReadOnlyList<string> GetValues(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        List<string>? values = null;
        foreach (var field in _fields)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                (values ??= []).Add(field.Value);
            }
        }

        return values is null ? [] : values;
    }

    /// <summary>Whether a field with this name exists.</summary>
    /// <param name="name">The header name, compared case-insensitively.</param>
    public bool Contains(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return IndexOf(name) >= 0;
    }

    /// <summary>Returns a list where this name has exactly one field with this value, at the place of its first field.</summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">The value.</param>
    public HeaderList With(string name, string value)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(value);
        var first = IndexOf(name);
        if (first < 0)
        {
            return Add(name, value);
        }

        var fields = new List<KeyValuePair<string, string>>(_fields.Length);
        for (var i = 0; i < _fields.Length; i++)
        {
            if (i == first)
            {
                fields.Add(new(name, value));
            }
            else if (!string.Equals(_fields[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                fields.Add(_fields[i]);
            }
        }

        return new HeaderList([.. fields]);
    }

    /// <summary>Returns a list with one more field at the end.</summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">The value.</param>
    public HeaderList Add(string name, string value)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(value);
        return new HeaderList([.. _fields, new(name, value)]);
    }

    /// <summary>Returns a list without any field of this name.</summary>
    /// <param name="name">The header name, compared case-insensitively.</param>
    public HeaderList Without(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (IndexOf(name) < 0)
        {
            return this;
        }

        var fields = Array.FindAll(_fields, f => !string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase));
        return fields.Length == 0 ? Empty : new HeaderList(fields);
    }

    /// <summary>Enumerates the fields in order.</summary>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_fields).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Lists the field names (values left out: they may hold secrets).</summary>
    public override string ToString() => $"HeaderList [{string.Join(", ", _fields.Select(f => f.Key))}]";

    private int IndexOf(string name)
    {
        // A plain loop: a predicate lambda would allocate a closure on every lookup.
        for (var i = 0; i < _fields.Length; i++)
        {
            if (string.Equals(_fields[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
    }
}
