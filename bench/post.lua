-- Comment form bodies for wrk, one per line of a file bench/run.py writes.
--
-- A comment form's signed token posts once: a second post with the same
-- token is refused (409). So every body carries a token of its own, and no
-- body is sent twice: wrk thread n of N sends lines n, n + N, n + 2N, ... of
-- the file, so threads never share one. bench/load.py's script loads this
-- with dofile, reads each thread's share in wrk's init() and takes the next
-- body in request().

local bodies = {}

-- Return this thread's share of the file at `path`: {lines = {...}, sent = 0}.
function bodies.read(path, thread_number, threads)
  local mine, line_number = {}, 0
  for line in io.lines(path) do
    if line_number % threads == thread_number - 1 then
      table.insert(mine, line)
    end
    line_number = line_number + 1
  end
  if #mine == 0 then
    error("no comment bodies for thread " .. thread_number .. " in " .. path)
  end
  return { lines = mine, sent = 0 }
end

-- Return the next unsent body. Past the end of the share the first ones go
-- again: their tokens are spent, so the site refuses them and the bench,
-- which counts stored comments, never counts them as posts.
function bodies.next(share)
  share.sent = share.sent + 1
  return share.lines[(share.sent - 1) % #share.lines + 1]
end

return bodies
