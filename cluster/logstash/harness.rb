# Runs airflow-task-logs.rb as Logstash's ruby filter would (register, then
# filter per event), on events read as JSON lines from stdin, and prints each
# resulting event as a JSON line. The Event below is a stand-in for the parts
# of Logstash's Event API the script uses: get, set, remove (field references
# such as "[host][name]" or "message") and tag.
require 'json'

module LogStash
  class Event
    def initialize(data)
      @data = data
    end

    def get(ref)
      path(ref).reduce(@data) { |node, key| node.is_a?(Hash) ? node[key] : nil }
    end

    def set(ref, value)
      keys = path(ref)
      parent = keys[0..-2].reduce(@data) { |node, key| node[key] = {} unless node[key].is_a?(Hash); node[key] }
      parent[keys.last] = value
    end

    def remove(ref)
      keys = path(ref)
      parent = keys[0..-2].reduce(@data) { |node, key| node.is_a?(Hash) ? node[key] : nil }
      parent.delete(keys.last) if parent.is_a?(Hash)
    end

    def tag(name)
      tags = (@data['tags'] ||= [])
      tags << name unless tags.include?(name)
    end

    def to_hash
      @data
    end

    private

    def path(ref)
      ref.start_with?('[') ? ref.scan(/\[([^\]]+)\]/).flatten : [ref]
    end
  end
end

load File.join(__dir__, 'airflow-task-logs.rb')
register({})
$stdin.each_line do |input|
  next if input.strip.empty?
  filter(LogStash::Event.new(JSON.parse(input))).each { |out| $stdout.puts(JSON.generate(out.to_hash)) }
end
