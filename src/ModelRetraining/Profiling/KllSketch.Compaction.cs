namespace ModelRetraining;

/// <content>How buffered values reach the levels: sorted, halved in place while they alone would fill a level, merged, and compacted level by level.</content>
internal sealed partial class KllSketch
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Flush()
    {
        if (_buffered == 0 && _floatsBuffered == 0)
        {
            return;
        }

        if (_floatsBuffered > 0)
        {
            // Float input sorts in three radix passes instead of six. While the sorted buffer alone
            // would fill its level, it is halved in place, which is the compaction KLL would make of
            // it there (one per level, random offset); only what is left is widened and merged.
            var floats = _floats.AsSpan(0, _floatsBuffered);
            RadixSort.Sort(floats, _floatKeys, _floatScratch);
            var level = EntryLevel();
            while (floats.Length >= _capacities[level])
            {
                if (floats.Length % 2 == 1)
                {
                    _levels[level] = MergeSorted(_levels[level], (ReadOnlySpan<double>)[floats[^1]]);
                    floats = floats[..^1];
                }

                var offset = (int)(NextRandom() & 1);
                var half = floats.Length / 2;
                for (var i = 0; i < half; i++)
                {
                    floats[i] = floats[(2 * i) + offset];
                }

                floats = floats[..half];
                if (++level == _levels.Count)
                {
                    _levels.Add([]);
                    RefreshCapacities();
                }
            }

            var widened = _widened.AsSpan(0, floats.Length);
            for (var i = 0; i < floats.Length; i++)
            {
                widened[i] = floats[i];
            }

            _levels[level] = MergeSorted(_levels[level], widened);
            _floatsBuffered = 0;
        }

        if (_buffered > 0)
        {
            var pending = _buffer.AsSpan(0, _buffered);
            RadixSort.Sort(pending, _keys, _scratch);
            var level = EntryLevel();
            _levels[level] = MergeSorted(_levels[level], pending);
            _buffered = 0;
        }

        Compact();
    }

    // The level buffered values go to, created (with the levels below it) when the sketch has fewer.
    private int EntryLevel()
    {
        if (_levels.Count <= _entryLevel)
        {
            while (_levels.Count <= _entryLevel)
            {
                _levels.Add([]);
            }

            RefreshCapacities();
        }

        return _entryLevel;
    }

    private void Compact()
    {
        var changed = true;
        while (changed)
        {
            changed = false;
            for (var h = 0; h < _levels.Count; h++)
            {
                if (_levels[h].Count < _capacities[h])
                {
                    continue;
                }

                if (h + 1 == _levels.Count)
                {
                    _levels.Add([]);
                    RefreshCapacities();
                }

                var level = _levels[h];
                var offset = (int)(NextRandom() & 1);
                var promoted = new List<double>((level.Count / 2) + 1);
                var even = level.Count - (level.Count % 2);
                for (var i = offset; i < even; i += 2)
                {
                    promoted.Add(level[i]);
                }

                var kept = new List<double>();
                if (level.Count % 2 == 1)
                {
                    kept.Add(level[^1]);
                }

                _levels[h] = kept;
                _levels[h + 1] = MergeSorted(_levels[h + 1], System.Runtime.InteropServices.CollectionsMarshal.AsSpan(promoted));
                changed = true;
            }
        }
    }

    private static List<double> MergeSorted(List<double> a, ReadOnlySpan<double> b) => MergeSorted(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(a), b);

    private static List<double> MergeSorted(List<double> a, List<double> b) => MergeSorted(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(a), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(b));

    private static List<double> MergeSorted(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var merged = new List<double>(a.Length + b.Length);
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            merged.Add(a[i] <= b[j] ? a[i++] : b[j++]);
        }

        while (i < a.Length)
        {
            merged.Add(a[i++]);
        }

        while (j < b.Length)
        {
            merged.Add(b[j++]);
        }

        return merged;
    }

    private void RefreshCapacities()
    {
        _capacities = new int[_levels.Count];
        for (var h = 0; h < _levels.Count; h++)
        {
            var depth = _levels.Count - h - 1;
            _capacities[h] = Math.Max(2, (int)Math.Ceiling(K * Math.Pow(2.0 / 3.0, depth)));
        }
    }

    private ulong NextRandom()
    {
        _random ^= _random << 13;
        _random ^= _random >> 7;
        _random ^= _random << 17;
        return _random;
    }
}
