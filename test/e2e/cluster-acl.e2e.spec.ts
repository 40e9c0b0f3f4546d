import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { send } from '../helpers/redis-process.js';
import { exercise, PASSWORD, readmeAclRule } from '../helpers/readme-acl.js';

describe('the documented Redis ACL rule on a cluster (the user set on every node)', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    for (const { port } of cluster.nodes) {
      await send(port, 'ACL', 'SETUSER', 'pluto-rt', ...readmeAclRule());
    }
  }, 30_000);
  afterAll(() => cluster.stop());

  it('runs every path of the module with no command or key refused on any node', async () => {
    await exercise({
      cluster: {
        nodes: cluster.nodes,
        options: { redisOptions: { username: 'pluto-rt', password: PASSWORD } },
      },
    });
    for (const { port } of cluster.nodes) {
      expect([port, await send(port, 'ACL', 'LOG')]).toEqual([port, []]);
    }
  });
});
