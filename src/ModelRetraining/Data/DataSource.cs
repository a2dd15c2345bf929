using System.Data.Common;

namespace ModelRetraining;

/// <summary>Data sources beyond files: rows from objects, and rows from a database query.</summary>
public static class DataSource
{
    /// <summary>Rows from an enumerable of objects, enumerated afresh on every load (pass a factory, not a list that changes under the run).</summary>
    /// <typeparam name="T">The row type (see <see cref="ObjectDataSource{T}"/>).</typeparam>
    /// <param name="name">The data set's name in messages and lineage.</param>
    /// <param name="rows">Produces the rows.</param>
    /// <param name="labelColumn">The label column, if any.</param>
    /// <param name="timeColumn">The time column, if any (a DateTime or DateTimeOffset member).</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentException">A member's type cannot be a column, or the label or time column is not a member; each is named.</exception>
    public static ObjectDataSource<T> FromEnumerable<T>(string name, Func<IEnumerable<T>> rows, string? labelColumn = null, string? timeColumn = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new ObjectDataSource<T>(name, _ => rows().ToAsyncEnumerable(), labelColumn, timeColumn);
    }

    /// <summary>Rows from an asynchronous stream of objects (an EF Core query, a feed), read once per load.</summary>
    /// <typeparam name="T">The row type (see <see cref="ObjectDataSource{T}"/>).</typeparam>
    /// <param name="name">The data set's name in messages and lineage.</param>
    /// <param name="rows">Produces the rows; the load's token is passed on.</param>
    /// <param name="labelColumn">The label column, if any.</param>
    /// <param name="timeColumn">The time column, if any (a DateTime or DateTimeOffset member).</param>
    /// <returns>The source.</returns>
    /// <exception cref="ArgumentException">A member's type cannot be a column, or the label or time column is not a member; each is named.</exception>
    public static ObjectDataSource<T> FromAsyncEnumerable<T>(string name, Func<CancellationToken, IAsyncEnumerable<T>> rows, string? labelColumn = null, string? timeColumn = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new ObjectDataSource<T>(name, rows, labelColumn, timeColumn);
    }

    /// <summary>Rows of a SQL query, through any ADO.NET provider; a new connection from the factory per load, closed after it.</summary>
    /// <param name="name">The data set's name in messages and lineage (the query is recorded with it).</param>
    /// <param name="connectionFactory">Creates an unopened connection (<c>() =&gt; new NpgsqlConnection(cs)</c>).</param>
    /// <param name="query">The query (its text is the host's; values belong in <see cref="DbQueryDataSource.Since"/>, which passes them as parameters).</param>
    /// <param name="labelColumn">The label column, if any.</param>
    /// <param name="timeColumn">The time column, if any.</param>
    /// <returns>The source.</returns>
    public static DbQueryDataSource FromQuery(string name, Func<DbConnection> connectionFactory, string query, string? labelColumn = null, string? timeColumn = null)
    {
        ArgumentNullException.ThrowIfNull(connectionFactory);
        return new DbQueryDataSource(name, connectionFactory, query, new Dictionary<string, DataColumnKind>(StringComparer.Ordinal), labelColumn, timeColumn, null);
    }
}
