using System.Linq.Expressions;
using System.Reflection;

namespace ModelRetraining;

/// <summary>
/// The public properties and fields of a row type as columns, shared by the object source and the serving
/// derivations. ML.NET's <c>[ColumnName]</c> and <c>[NoColumn]</c> are honoured without referencing ML.NET (core
/// does not): matched by the attributes' full names, the name read from the constructor argument.
/// </summary>
internal static class ColumnMembers
{
    public static IEnumerable<MemberInfo> Of(Type type)
    {
        const BindingFlags Public = BindingFlags.Public | BindingFlags.Instance;
        return type.GetProperties(Public).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).Cast<MemberInfo>()
            .Concat(type.GetFields(Public))
            .Where(m => !m.GetCustomAttributesData().Any(a => a.AttributeType.FullName == "Microsoft.ML.Data.NoColumnAttribute"));
    }

    public static string ColumnName(MemberInfo member)
        => member.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == "Microsoft.ML.Data.ColumnNameAttribute")?.ConstructorArguments[0].Value as string ?? member.Name;

    public static Type TypeOf(MemberInfo member) => member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType;

    // Compiled once per member: reflection's GetValue/SetValue would cost more than the work done with the value.
    public static Func<T, object?> Getter<T>(MemberInfo member)
    {
        var row = Expression.Parameter(typeof(T), "row");
        return Expression.Lambda<Func<T, object?>>(Expression.Convert(Expression.MakeMemberAccess(row, member), typeof(object)), row).Compile();
    }

    public static Action<T, object?> Setter<T>(MemberInfo member)
    {
        var row = Expression.Parameter(typeof(T), "row");
        var value = Expression.Parameter(typeof(object), "value");
        var body = Expression.Assign(Expression.MakeMemberAccess(row, member), Expression.Convert(value, TypeOf(member)));
        return Expression.Lambda<Action<T, object?>>(body, row, value).Compile();
    }
}
