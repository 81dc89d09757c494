using System.Net;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace UrlSessions.Tests.Configuration;

/// <summary>
/// Clone and a session's own values, checked against every public property found by reflection: a property added to
/// <see cref="SessionConfiguration"/> but forgotten in <see cref="SessionConfiguration.Clone"/>, in
/// <see cref="SessionSettings"/> / <see cref="SessionServices"/> or in their <c>From</c> fails here.
/// </summary>
public sealed class SessionConfigurationPropertyCoverageTests
{
    private static readonly PropertyInfo[] Settable = typeof(SessionConfiguration)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.SetMethod is { IsPublic: true })
        .ToArray();

    private static readonly PropertyInfo[] ReadOnly = typeof(SessionConfiguration)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.SetMethod is not { IsPublic: true })
        .ToArray();

    private static readonly PropertyInfo[] Public = [.. Settable, .. ReadOnly];

    // Types with no public parameterless constructor to make a fresh instance from.
    private static readonly Dictionary<Type, Func<object>> Instances = new()
    {
        [typeof(IWebProxy)] = () => new WebProxy("http://proxy.test:8080"),
        [typeof(ILoggerFactory)] = () => new LoggerFactory(),
        [typeof(TimeProvider)] = () => new FakeTimeProvider(),
        // A new closure each time: a lambda that captures nothing is one cached delegate, equal to the last one.
        [typeof(Func<HttpMessageHandler>)] = () =>
        {
            var handlers = 0;
            return new Func<HttpMessageHandler>(() => { handlers++; return new HttpClientHandler(); });
        },
    };

    public static TheoryData<string> Kinds => ["default", "ephemeral", "background"];

    // There are two TLS versions, so changing both bounds would put the minimum above the maximum, which a session refuses.
    public static TheoryData<string, string> KindsAndTlsBound => new()
    {
        { "default", "minimum" }, { "default", "maximum" },
        { "ephemeral", "minimum" }, { "ephemeral", "maximum" },
        { "background", "minimum" }, { "background", "maximum" },
    };

    [Fact]
    public void The_property_lists_are_what_the_tests_below_rely_on()
    {
        Settable.Length.Should().BeGreaterThanOrEqualTo(20);
        ReadOnly.Select(p => p.Name).Should().BeEquivalentTo(["Kind", "Identifier", "HttpAdditionalHeaders"],
            "a new get-only property needs its own copy check here (a mutable collection is copied by value)");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Clone_copies_every_public_settable_property(string kind)
    {
        var original = Create(kind);
        var set = SetEveryProperty(original);

        var copy = original.Clone();

        foreach (var property in Settable)
        {
            var expected = set[property.Name];
            var actual = property.GetValue(copy);
            if (property.PropertyType.IsValueType || property.PropertyType == typeof(string))
            {
                actual.Should().Be(expected, $"Clone must copy {property.Name}");
            }
            else
            {
                // Stores, proxy, logger factory, clock and handler factory are shared by reference (documented on the class).
                actual.Should().BeSameAs(expected, $"Clone must share {property.Name} by reference");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Clone_copies_the_get_only_properties_and_the_header_dictionary_by_value(string kind)
    {
        var original = Create(kind);
        original.HttpAdditionalHeaders["X-One"] = "1";
        original.HttpAdditionalHeaders["X-Two"] = "2";

        var copy = original.Clone();

        copy.Kind.Should().Be(original.Kind);
        copy.Identifier.Should().Be(original.Identifier);
        copy.HttpAdditionalHeaders.Should().NotBeSameAs(original.HttpAdditionalHeaders)
            .And.Equal(new Dictionary<string, string> { ["X-One"] = "1", ["X-Two"] = "2" });
        copy.OwnedEphemeralStores.Should().BeSameAs(original.OwnedEphemeralStores);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Clone_copies_every_field_not_only_the_public_ones(string kind)
    {
        var original = Create(kind);
        SetEveryProperty(original);

        var copy = original.Clone();

        foreach (var field in typeof(SessionConfiguration).GetFields(BindingFlags.NonPublic | BindingFlags.Instance))
        {
            if (field.Name is "_httpAdditionalHeaders")
            {
                continue; // copied by value: checked by the test above
            }

            var expected = field.GetValue(original);
            var actual = field.GetValue(copy);
            if (field.FieldType.IsValueType || field.FieldType == typeof(string))
            {
                actual.Should().Be(expected, $"Clone must copy {field.Name}");
            }
            else
            {
                actual.Should().BeSameAs(expected, $"Clone must copy {field.Name}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(KindsAndTlsBound))]
    public async Task A_session_takes_every_property_when_created_and_later_changes_to_the_configuration_reach_nothing_of_it(string kind, string changedTlsBound)
    {
        var configuration = Create(kind);
        SetEveryProperty(configuration);
        if (changedTlsBound == "minimum")
        {
            configuration.TlsMaximumSupportedProtocolVersion = configuration.TlsMinimumSupportedProtocolVersion;
        }
        else
        {
            configuration.TlsMinimumSupportedProtocolVersion = configuration.TlsMaximumSupportedProtocolVersion;
        }

        configuration.HttpAdditionalHeaders["X-One"] = "1";
        var created = Public.ToDictionary(p => p.Name, p => p.GetValue(configuration));
        await using var session = new UrlSession(configuration);

        ShouldHold(session, created, "when created");

        SetEveryProperty(configuration);
        configuration.HttpAdditionalHeaders["X-One"] = "changed";
        configuration.HttpAdditionalHeaders["X-Two"] = "2";

        ShouldHold(session, created, "after the caller changed its configuration");
    }

    /// <summary>
    /// The session's settings or services (the property of the same name) and a fresh <c>session.Configuration</c> have
    /// the values the configuration had when the session was created: the same object for what is shared by reference.
    /// </summary>
    private static void ShouldHold(UrlSession session, Dictionary<string, object?> created, string when)
    {
        var copy = session.Configuration;
        foreach (var property in Public.Where(p => p.Name != nameof(SessionConfiguration.HttpAdditionalHeaders)))
        {
            object carrier = typeof(SessionSettings).GetProperty(property.Name) is not null ? session.Settings : session.Services;
            var inSession = carrier.GetType().GetProperty(property.Name)
                ?? throw new InvalidOperationException($"Neither SessionSettings nor SessionServices carries {property.Name}: add it (and to its From).");
            var expected = created[property.Name];
            foreach (var (what, actual) in new[] { (carrier.GetType().Name, inSession.GetValue(carrier)), ("session.Configuration", property.GetValue(copy)) })
            {
                if (property.PropertyType.IsValueType || property.PropertyType == typeof(string))
                {
                    actual.Should().Be(expected, $"{what}.{property.Name} must be the configuration's value {when}");
                }
                else
                {
                    actual.Should().BeSameAs(expected, $"{what}.{property.Name} must be the configuration's object {when}");
                }
            }
        }

        session.Settings.HttpAdditionalHeaders.Should().Equal(new[] { KeyValuePair.Create("X-One", "1") }, $"the session's headers must not change {when}");
        copy.HttpAdditionalHeaders.Should().Equal(new Dictionary<string, string> { ["X-One"] = "1" }, $"session.Configuration's headers must not change {when}");
    }

    /// <summary>Gives every settable property a value other than the one it has; returns the values read back.</summary>
    private static Dictionary<string, object?> SetEveryProperty(SessionConfiguration configuration)
    {
        var values = new Dictionary<string, object?>();
        foreach (var property in Settable)
        {
            var old = property.GetValue(configuration);
            var value = NewValue(property, old, accepts: v => TrySet(configuration, property, v));
            Set(configuration, property, value);
            var read = property.GetValue(configuration);
            read.Should().NotBe(old, $"the test must change {property.Name} to prove Clone copies it");
            values[property.Name] = read;
        }

        return values;
    }

    /// <summary>A value of the property's type that differs from <paramref name="old"/> and that <paramref name="accepts"/> takes.</summary>
    private static object? NewValue(PropertyInfo property, object? old, Func<object?, bool> accepts)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        IEnumerable<object?> candidates = type switch
        {
            _ when type == typeof(bool) => [!(bool)(old ?? false)],
            _ when type == typeof(int) => [(int)(old ?? 0) + 3],
            _ when type == typeof(long) => [(long)(old ?? 0L) + 1234],
            _ when type == typeof(TimeSpan) => [(TimeSpan)(old ?? TimeSpan.Zero) + TimeSpan.FromSeconds(17)],
            _ when type == typeof(string) => [Path.Combine(Path.GetTempPath(), "urlsession-clone-" + property.Name), Path.Combine(Path.GetTempPath(), "urlsession-clone-" + property.Name + "-2")],
            // The defined values after the current one, wrapping round (the setter may refuse some, as TLS versions).
            { IsEnum: true } => Enum.GetValues(type).Cast<object>().SkipWhile(v => !v.Equals(old)).Skip(1)
                .Concat(Enum.GetValues(type).Cast<object>()).Where(v => !v.Equals(old)),
            _ when Instances.TryGetValue(type, out var make) => [make()],
            { IsClass: true } when type.GetConstructor(Type.EmptyTypes) is { } constructor => [constructor.Invoke(null)],
            _ => throw new NotSupportedException($"No test value for {property.Name} ({type}): add one to {nameof(NewValue)}."),
        };

        foreach (var candidate in candidates)
        {
            if (!Equals(candidate, old) && accepts(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{property.Name} accepted none of the test values.");
    }

    private static bool TrySet(SessionConfiguration configuration, PropertyInfo property, object? value)
    {
        var old = property.GetValue(configuration);
        try
        {
            Set(configuration, property, value);
            Set(configuration, property, old);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void Set(SessionConfiguration configuration, PropertyInfo property, object? value)
    {
        try
        {
            property.SetValue(configuration, value);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
        }
    }

    private static SessionConfiguration Create(string kind) => kind switch
    {
        "default" => SessionConfiguration.Default,
        "ephemeral" => SessionConfiguration.Ephemeral,
        _ => SessionConfiguration.Background("coverage"),
    };
}
