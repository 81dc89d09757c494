using System.Net;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace UrlSessions.Tests.Configuration;

/// <summary>
/// Clone and freeze, checked against every public property found by reflection: a property added to
/// <see cref="SessionConfiguration"/> but forgotten in <see cref="SessionConfiguration.Clone"/> fails here.
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

    // Types with no public parameterless constructor to make a fresh instance from.
    private static readonly Dictionary<Type, Func<object>> Instances = new()
    {
        [typeof(IWebProxy)] = () => new WebProxy("http://proxy.test:8080"),
        [typeof(ILoggerFactory)] = () => new LoggerFactory(),
        [typeof(TimeProvider)] = () => new FakeTimeProvider(),
        [typeof(Func<HttpMessageHandler>)] = () => new Func<HttpMessageHandler>(() => new HttpClientHandler()),
    };

    public static TheoryData<string> Kinds => ["default", "ephemeral", "background"];

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
            if (field.Name is "_httpAdditionalHeaders" or "_frozen")
            {
                continue; // copied by value, and a clone is never frozen: checked by the tests above and below
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
    [MemberData(nameof(Kinds))]
    public void The_frozen_copy_refuses_every_property_and_keeps_its_values(string kind)
    {
        // From the factory's values: the changed ones above would pair TLS 1.3 as minimum with 1.2 as maximum, which freezing refuses.
        var frozen = Create(kind).CloneAndFreeze();
        var before = Settable.ToDictionary(p => p.Name, p => p.GetValue(frozen));

        var probe = frozen.Clone();
        foreach (var property in Settable)
        {
            // A value the property would take (checked on an unfrozen copy), so only the freeze can refuse it.
            var value = NewValue(property, property.GetValue(frozen), accepts: v => TrySet(probe, property, v));
            var set = () => Set(frozen, property, value);

            set.Should().Throw<InvalidOperationException>($"a frozen configuration must refuse {property.Name}")
                .WithMessage("*belongs to a session*");
        }

        frozen.Invoking(f => f.HttpAdditionalHeaders["X-New"] = "1").Should().Throw<NotSupportedException>();
        foreach (var property in Settable)
        {
            property.GetValue(frozen).Should().Be(before[property.Name], $"{property.Name} must not change");
        }

        // Its clone is the caller's again: every property changes.
        var unfrozen = frozen.Clone();
        SetEveryProperty(unfrozen);
        unfrozen.HttpAdditionalHeaders["X-New"] = "1";
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
            _ when type == typeof(string) => [Path.Combine(Path.GetTempPath(), "urlsession-clone-" + property.Name)],
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
